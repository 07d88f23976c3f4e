import { pullRequestFromActions } from '../github/actions-event.js';
import { connectGitHub } from '../github/client.js';
import { upsertComment } from '../github/comments.js';
import type { CommentFooter } from '../plan/render-markdown.js';

/** Marker of the plan comment: one per fleet directory, so a repo with two fleets gets two. */
const marker = (fleetDir: string) => `<!-- clawctl:plan fleet=${fleetDir.replace(/--/g, '')} -->`;

/** What an Actions run says about itself, for the comment's footer. */
export function actionsFooter(clawctlVersion: string, env: NodeJS.ProcessEnv = process.env): CommentFooter {
  const runUrl = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return { commit: env.GITHUB_SHA, runUrl, clawctlVersion };
}

/** Post or refresh the plan comment on the pull request this Actions run is about. */
export async function commentOnPullRequest(fleetDir: string, body: string): Promise<{ number: number; url: string; created: boolean }> {
  const pr = await pullRequestFromActions();
  const gh = await connectGitHub(pr.repo);
  const comment = await upsertComment(gh, pr.number, marker(fleetDir), body);
  return { number: pr.number, ...comment };
}
