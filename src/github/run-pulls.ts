import { readFile } from 'node:fs/promises';
import type { PullRequestReviews } from '../policy/human-review.js';
import { mapLimit } from '../util/concurrency.js';
import { connectGitHub, githubError, parseRepoRef, type GitHub } from './client.js';

/** How many pushed commits are looked up: a push that merges pull requests carries few. */
const MAX_COMMITS = 100;
/** Requests in flight at once: GitHub asks integrations not to send many concurrently. */
const GITHUB_CONCURRENCY = 6;

interface ActionsEvent {
  pull_request?: { number?: number };
  ref?: string;
  commits?: { id?: string }[];
  head_commit?: { id?: string } | null;
}

/**
 * The pull requests this GitHub Actions run is about, with their reviews: the one a
 * pull_request or pull_request_review run plans, or those a push to a branch merged (each
 * pushed commit's merged pull requests into that branch). Any other run, or none outside
 * Actions, is about none: a person running clawctl is the human in the loop.
 */
export async function pullRequestsOfThisRun(env: NodeJS.ProcessEnv = process.env): Promise<PullRequestReviews[]> {
  const repo = env.GITHUB_REPOSITORY ? parseRepoRef(env.GITHUB_REPOSITORY) : undefined;
  if (env.GITHUB_ACTIONS !== 'true' || !repo || !env.GITHUB_EVENT_PATH) return [];
  const name = env.GITHUB_EVENT_NAME ?? '';
  const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as ActionsEvent;
  if (['pull_request', 'pull_request_review', 'pull_request_target'].includes(name) && typeof event.pull_request?.number === 'number') {
    const gh = await connectGitHub(repo);
    return [await pullRequestReviews(gh, event.pull_request.number)];
  }
  if (name !== 'push' || !event.ref?.startsWith('refs/heads/')) return [];
  const branch = event.ref.slice('refs/heads/'.length);
  const shas = [...new Set([...(event.commits ?? []).map((c) => c.id), event.head_commit?.id].filter((s): s is string => typeof s === 'string'))].slice(-MAX_COMMITS);
  const gh = await connectGitHub(repo);
  // A few calls at once, not one after another (a rebase merge pushes a commit per commit of the
  // pull request), and not all at once either: GitHub limits concurrent requests per token.
  const merged = await mapLimit(shas, GITHUB_CONCURRENCY, (sha) => mergedInto(gh, sha, branch));
  const numbers = [...new Set(merged.flat())].sort((a, b) => a - b);
  return mapLimit(numbers, GITHUB_CONCURRENCY, (n) => pullRequestReviews(gh, n));
}

/** The pull requests merged into `branch` that carry this commit (GitHub's commit → pulls association). */
async function mergedInto(gh: GitHub, sha: string, branch: string): Promise<number[]> {
  try {
    const pulls = await gh.octokit.paginate(gh.octokit.rest.repos.listPullRequestsAssociatedWithCommit, { ...gh.repo, commit_sha: sha, per_page: 100 });
    return pulls.filter((p) => p.merged_at && p.base.ref === branch).map((p) => p.number);
  } catch (err) {
    throw githubError(`the pull requests of commit ${sha.slice(0, 12)}`, err);
  }
}

/** A pull request's author, head commit and every review, as the review rule weighs them. */
export async function pullRequestReviews(gh: GitHub, number: number): Promise<PullRequestReviews> {
  try {
    const pr = (await gh.octokit.rest.pulls.get({ ...gh.repo, pull_number: number })).data;
    const reviews = await gh.octokit.paginate(gh.octokit.rest.pulls.listReviews, { ...gh.repo, pull_number: number, per_page: 100 });
    const account = (u: { login: string; type: string } | null | undefined) => ({ login: u?.login ?? '', type: u?.type ?? '' });
    return {
      number,
      author: account(pr.user),
      headSha: pr.head.sha,
      reviews: reviews.map((r) => ({ user: account(r.user), state: r.state, commitId: r.commit_id ?? '' })),
    };
  } catch (err) {
    throw githubError(`the reviews of pull request #${number}`, err);
  }
}
