import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { AuditSink } from '../audit/audit-log.js';
import { currentActor } from '../audit/actor.js';
import { incidentBranch, parseIncidentId } from '../alerts/incidents.js';
import type { DiagnoseResult } from '../diagnose/analyze.js';
import { connectGitHub, parseRepoRef, type RepoRef } from '../github/client.js';
import { openPullRequest, type PullRequestRef } from '../github/pull-requests.js';
import { loadFleet } from '../load/load-fleet.js';
import { looksSecret } from '../policy/secret-literals.js';
import { formatViolation } from '../policy/violation.js';
import { applyEdits, editTargets, type ManifestEdit } from './manifest-edits.js';
import { proposalBody, type IncidentEvidence } from './proposal-body.js';
import { renderErrorMarkdown, renderPlanMarkdown } from '../plan/render-markdown.js';
import { addWorktree, commit, currentBranch, openCheckout, push, remoteBranchTree, remoteUrl, stagedChanges, type ChangedFile, type Worktree } from './proposal-git.js';
import { ClawctlError, ExitCode } from '../util/errors.js';
import { diagnoseAgent, DEFAULT_LOG_LINES } from '../agents/diagnose-run.js';
import { loadDesired, planOnly, type PlanOptions } from '../engine/fleet-run.js';
import { desiredPolicy } from '../engine/policy-check.js';

export interface ProposeOptions {
  fleetDir: string;
  title: string;
  body: string;
  edits: ManifestEdit[];
  branch?: string;
  base?: string;
  remote: string;
  repo?: string;
  labels: string[];
  dryRun: boolean;
  audit: AuditSink;
  clawctlVersion: string;
  incident?: IncidentProposal;
}

/** `--incident ID`: the proposal is that incident's one pull request, with its evidence. */
export interface IncidentProposal {
  id: string;
  /** How the fleet's hosts are reached: the diagnosis and the plan of the change are taken with it. */
  plan: PlanOptions;
  /** A diagnosis already taken (diagnose --propose), instead of a fresh one. */
  diagnosis?: DiagnoseResult;
  /** Who proposes, in words, for the pull request. */
  via: string;
}

export interface ProposeResult {
  branch: string;
  base: string;
  commit: string;
  files: ChangedFile[];
  edits: string[];
  body: string;
  dryRun: boolean;
  /** False when the branch already held exactly this change (a retried proposal). */
  pushed: boolean;
  pullRequest?: PullRequestRef;
}

/**
 * A manifest change as a pull request: built in a throwaway worktree from the checkout's
 * HEAD plus its uncommitted fleet changes and the --set/--unset edits, validated and
 * policy-checked like `clawctl validate`, committed, pushed to a new branch, opened for
 * review. Hosts are never contacted: the plan workflow and a human's merge do the rest.
 */
export async function propose(opts: ProposeOptions): Promise<ProposeResult> {
  refuseCredentials(opts);
  const incident = opts.incident ? parseIncident(opts.incident.id) : undefined;
  const checkout = await openCheckout(opts.fleetDir);
  const base = opts.base ?? (await currentBranch(checkout));
  if (!base) throw new ClawctlError('the checkout is on no branch: give --base', [{ message: 'HEAD is detached', hint: '--base main' }]);
  // A missing token or remote is found before anything is built or pushed.
  const gh = opts.dryRun ? undefined : await connectGitHub(await githubRepo(opts, await remoteUrl(checkout, opts.remote)));
  const wt = await addWorktree(checkout);
  try {
    // Paths in errors read as they would in the checkout: fleet/agents/x.yaml:3:5.
    const cwd = join(wt.root, relative(checkout.root, process.cwd()));
    await applyManifestEdits(wt, opts.edits, cwd);
    const { manifests, desired } = await loadDesired(wt.fleetDir, { secrets: false }, cwd);
    const policy = await desiredPolicy(manifests, desired);
    if (policy.violations.length > 0) {
      throw new ClawctlError(
        `the proposed fleet breaks ${policy.violations.length} policy rule(s); nothing was pushed`,
        policy.violations.map((v) => ({ message: formatViolation(v) })),
        ExitCode.policy,
      );
    }
    const files = await stagedChanges(wt, checkout.fleetRel);
    if (files.length === 0) {
      throw new ClawctlError('nothing to propose: the fleet would not change', [
        { message: `no change under ${checkout.fleetRel || '.'} relative to HEAD`, hint: 'edit manifests first, or pass --set KIND/NAME:PATH=VALUE' },
      ]);
    }
    const actor = await currentActor(checkout.root);
    const evidence = opts.incident && incident ? await incidentEvidence(opts.incident, incident, wt, opts) : undefined;
    const body = proposalBody({
      body: opts.body,
      files,
      edits: opts.edits,
      checked: { agents: manifests.agents.length, hosts: manifests.hosts.length, policies: manifests.policies.length },
      actor,
      clawctlVersion: opts.clawctlVersion,
      ...(evidence ? { incident: evidence } : {}),
    });
    const made = await commit(wt, `${opts.title}\n\n${opts.body.trim()}\n\nProposed-with: clawctl propose`.replace(/\n{3,}/g, '\n\n'));
    const branch = opts.branch ?? (opts.incident ? incidentBranch(opts.incident.id) : `clawctl/propose/${slug(opts.title)}-${made.tree.slice(0, 8)}`);
    const result: ProposeResult = { branch, base, commit: made.commit, files, edits: opts.edits.map((e) => e.spec), body, dryRun: opts.dryRun, pushed: false };
    if (!gh) return result;
    const existing = await remoteBranchTree(wt, opts.remote, branch);
    // An incident has one branch: proposing again replaces its change, and so updates its pull request.
    if (existing !== undefined && existing !== made.tree && !opts.incident) {
      throw new ClawctlError(`branch ${branch} already exists on ${opts.remote} with other changes; nothing was pushed`, [
        { message: `${opts.remote}/${branch} differs from this proposal`, hint: 'choose another --branch, or update that branch with git' },
      ]);
    }
    if (existing !== made.tree) {
      await push(wt, opts.remote, branch, existing !== undefined);
      result.pushed = true;
    }
    result.pullRequest = await openPullRequest(gh, { head: branch, base, title: opts.title, body, labels: opts.labels });
    await opts.audit.record([
      {
        action: 'pr.propose',
        target: `${gh.repo.owner}/${gh.repo.repo}#${result.pullRequest.number}`,
        result: 'ok',
        details: { branch, base, commit: made.commit, files: files.map((f) => f.path).join(', '), url: result.pullRequest.url },
      },
    ]);
    return result;
  } finally {
    await wt.remove();
  }
}

function parseIncident(id: string): { event: string; subject: string; agent?: string } {
  const parsed = parseIncidentId(id);
  if (!parsed)
    throw new ClawctlError(`--incident ${id}: not an incident id`, [{ message: `${id} is not an incident id`, hint: 'the id watch gives each incident, e.g. agent.down.support.20261201t210000z' }]);
  return parsed;
}

/**
 * The incident's evidence: the agent's diagnosis (taken now unless given) and the plan of the
 * proposed fleet for it, as the plan workflow will print it. A plan that cannot be made says why.
 */
async function incidentEvidence(p: IncidentProposal, incident: { event: string; subject: string; agent?: string }, wt: Worktree, opts: ProposeOptions): Promise<IncidentEvidence> {
  const scope = { targets: incident.agent ? [incident.agent] : [], selector: {} };
  const diagnosis = p.diagnosis ?? (incident.agent ? await diagnoseAgent({ ...p.plan, fleetDir: opts.fleetDir }, incident.agent, DEFAULT_LOG_LINES).catch(() => undefined) : undefined);
  const footer = { clawctlVersion: opts.clawctlVersion };
  let plan: string;
  try {
    const run = await planOnly({ ...p.plan, fleetDir: wt.fleetDir, scope });
    plan = renderPlanMarkdown(run.plan, footer);
  } catch (err) {
    if (!(err instanceof ClawctlError)) throw err;
    plan = renderErrorMarkdown(relative(wt.root, wt.fleetDir) || '.', { message: err.message, diagnostics: err.diagnostics }, footer);
  }
  return { id: p.id, event: incident.event, subject: incident.subject, via: p.via, plan, ...(diagnosis ? { diagnosis } : {}) };
}

async function applyManifestEdits(wt: Worktree, edits: readonly ManifestEdit[], cwd: string): Promise<void> {
  if (edits.length === 0) return;
  const loaded = await loadFleet(wt.fleetDir, cwd);
  const byFile = new Map<string, ManifestEdit[]>();
  for (const e of edits) {
    const matches = loaded.docs.filter((d) => editTargets(e, d.data));
    if (matches.length !== 1) {
      const known = loaded.docs.filter((d) => (d.data as { kind?: string })?.kind === e.kind).map((d) => (d.data as { metadata?: { name?: string } }).metadata?.name);
      throw new ClawctlError(`${e.spec}: no ${e.kind} named ${e.name ?? ''} in the fleet`, [
        { message: `${e.spec}: ${matches.length === 0 ? 'not found' : 'defined more than once'}`, hint: `${e.kind.toLowerCase()}s: ${known.join(', ') || '(none)'}` },
      ]);
    }
    const file = join(cwd, matches[0]!.file);
    byFile.set(file, [...(byFile.get(file) ?? []), e]);
  }
  for (const [file, mine] of byFile) await writeFile(file, applyEdits(await readFile(file, 'utf8'), mine));
}

/** Title, body and edit values go to GitHub: an unmistakable credential in them is refused. */
function refuseCredentials(opts: ProposeOptions): void {
  const texts: [string, string][] = [
    ['the title', opts.title],
    ['the body', opts.body],
    ...opts.edits.filter((e) => e.value !== undefined).map((e): [string, string] => [`the value of ${e.spec.split('=')[0]}`, e.value!]),
  ];
  for (const [where, text] of texts) {
    const what = looksSecret('', text);
    if (what) {
      throw new ClawctlError(`${where} holds what looks like ${what}; nothing was committed or sent`, [
        { message: `${where}: credential-looking text`, hint: 'store it with `clawctl secrets set` and reference it as a secretRef; never put a secret in a pull request' },
      ]);
    }
  }
}

async function githubRepo(opts: ProposeOptions, url: string): Promise<RepoRef> {
  const spec = opts.repo ?? process.env.GITHUB_REPOSITORY ?? url;
  const repo = parseRepoRef(spec);
  if (!repo) throw new ClawctlError(`cannot tell the GitHub repository from "${spec}"`, [{ message: 'no owner/name for the pull request', hint: '--repo OWNER/NAME' }]);
  return repo;
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40)
      .replace(/-$/, '') || 'change'
  );
}
