import { readFile } from 'node:fs/promises';
import { ClawctlError } from '../util/errors.js';
import { parseRepoRef, type RepoRef } from './client.js';

/** The pull request an Actions run is about, from the event payload Actions writes to disk. */
export interface PullRequestContext {
  repo: RepoRef;
  number: number;
}

export async function pullRequestFromActions(env: NodeJS.ProcessEnv = process.env): Promise<PullRequestContext> {
  const repo = env.GITHUB_REPOSITORY ? parseRepoRef(env.GITHUB_REPOSITORY) : undefined;
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!repo || !eventPath) {
    throw new ClawctlError('--pr-comment needs a GitHub Actions pull_request run', [
      { message: 'GITHUB_REPOSITORY or GITHUB_EVENT_PATH is unset', hint: 'run it from a workflow triggered by pull_request (see the template `clawctl init` writes)' },
    ]);
  }
  const event = JSON.parse(await readFile(eventPath, 'utf8')) as { pull_request?: { number?: number }; number?: number };
  const number = event.pull_request?.number;
  if (typeof number !== 'number') {
    throw new ClawctlError(`--pr-comment: this run's event (${env.GITHUB_EVENT_NAME ?? 'unknown'}) is not about a pull request`, [
      { message: `${eventPath} has no pull_request.number`, hint: 'trigger the plan workflow on pull_request' },
    ]);
  }
  return { repo, number };
}
