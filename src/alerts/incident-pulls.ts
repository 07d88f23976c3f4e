import { connectGitHub, parseRepoRef, type GitHub } from '../github/client.js';
import { upsertComment } from '../github/comments.js';
import { closePullRequest, findPullRequest } from '../github/pull-requests.js';
import { openCheckout, remoteUrl } from '../propose/proposal-git.js';
import { ClawctlError } from '../util/errors.js';
import { incidentBranch, incidentId, type Transition } from './incidents.js';
import { duration } from './message.js';

/** What became of an incident's pull request when the incident resolved. */
export interface IncidentPullReport {
  incident: string;
  number?: number;
  url?: string;
  /** commented: it was merged (or already closed) and hears the outcome; closed: nothing was merged. */
  action: 'commented' | 'closed' | 'failed';
  error?: string;
}

/**
 * An incident that resolves settles its pull request (the one `propose --incident` opened):
 * a comment says so, and one that nothing was merged from is closed, since the fleet no longer
 * needs it. Without a GitHub token there is no pull request to look for: nothing is done.
 */
export async function settleIncidentPulls(fleetDir: string, resolved: readonly Transition[], env: NodeJS.ProcessEnv = process.env): Promise<IncidentPullReport[]> {
  if (resolved.length === 0 || !(env.GITHUB_TOKEN || env.GH_TOKEN)) return [];
  let gh: GitHub;
  try {
    gh = await connectGitHub(await repository(fleetDir, env));
  } catch (err) {
    if (!(err instanceof ClawctlError)) throw err;
    return resolved.map((t) => ({ incident: incidentId(t.incident), action: 'failed', error: err.message }));
  }
  const out: IncidentPullReport[] = [];
  for (const t of resolved) {
    const incident = incidentId(t.incident);
    try {
      const pr = await findPullRequest(gh, incidentBranch(incident));
      if (!pr) continue;
      const lasted = t.incident.openedAt ? ` after ${duration(Date.parse(t.at) - Date.parse(t.incident.openedAt))}` : '';
      const close = pr.state === 'open';
      const body = `Incident \`${incident}\` resolved${lasted}: ${t.reason}.\n\n${pr.merged ? 'This pull request was merged and applied.' : close ? 'Nothing was merged from this pull request and the fleet no longer needs it, so clawctl watch closes it.' : 'This pull request was closed without a merge.'}`;
      await upsertComment(gh, pr.number, `<!-- clawctl:incident ${incident} resolved -->`, body);
      if (close) await closePullRequest(gh, pr.number);
      out.push({ incident, number: pr.number, url: pr.url, action: close ? 'closed' : 'commented' });
    } catch (err) {
      if (!(err instanceof ClawctlError)) throw err;
      out.push({ incident, action: 'failed', error: err.message });
    }
  }
  return out;
}

/** The fleet repo on GitHub: GITHUB_REPOSITORY (Actions), else its origin remote's URL. */
async function repository(fleetDir: string, env: NodeJS.ProcessEnv) {
  const spec = env.GITHUB_REPOSITORY || (await remoteUrl(await openCheckout(fleetDir), 'origin'));
  const repo = parseRepoRef(spec);
  if (!repo) throw new ClawctlError(`cannot tell the GitHub repository of the fleet from "${spec}": set GITHUB_REPOSITORY`);
  return repo;
}
