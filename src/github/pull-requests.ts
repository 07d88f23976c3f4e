import { githubError, type GitHub } from './client.js';

export interface PullRequestSpec {
  head: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
}

export interface PullRequestRef {
  number: number;
  url: string;
  /** false when an open pull request for the branch already existed and was updated. */
  created: boolean;
}

/**
 * Open a pull request for the branch, or update the open one: proposing again from the same
 * branch refreshes its text instead of failing with "A pull request already exists".
 */
export async function openPullRequest(gh: GitHub, spec: PullRequestSpec): Promise<PullRequestRef> {
  const { octokit, repo } = gh;
  try {
    const open = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${spec.head}`, state: 'open', per_page: 1 });
    const existing = open.data[0];
    const pr = existing
      ? (await octokit.rest.pulls.update({ ...repo, pull_number: existing.number, title: spec.title, body: spec.body })).data
      : (await octokit.rest.pulls.create({ ...repo, head: spec.head, base: spec.base, title: spec.title, body: spec.body })).data;
    if (spec.labels.length > 0) await octokit.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: spec.labels });
    return { number: pr.number, url: pr.html_url, created: !existing };
  } catch (err) {
    throw githubError(`open a pull request ${spec.head} → ${spec.base} in ${repo.owner}/${repo.repo}`, err);
  }
}

/** The newest pull request from a branch, open or not, and whether it was merged. */
export async function findPullRequest(gh: GitHub, head: string): Promise<(PullRequestRef & { state: 'open' | 'closed'; merged: boolean }) | undefined> {
  const { octokit, repo } = gh;
  try {
    const found = (await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${head}`, state: 'all', per_page: 1 })).data[0];
    return found ? { number: found.number, url: found.html_url, created: false, state: found.state === 'open' ? 'open' : 'closed', merged: Boolean(found.merged_at) } : undefined;
  } catch (err) {
    throw githubError(`find the pull request from ${head} in ${repo.owner}/${repo.repo}`, err);
  }
}

export async function closePullRequest(gh: GitHub, number: number): Promise<void> {
  const { octokit, repo } = gh;
  try {
    await octokit.rest.pulls.update({ ...repo, pull_number: number, state: 'closed' });
  } catch (err) {
    throw githubError(`close pull request #${number} of ${repo.owner}/${repo.repo}`, err);
  }
}
