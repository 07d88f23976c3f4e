import { pullRequestFromActions } from './actions-event.js';
import { connectGitHub } from './client.js';
import { upsertComment } from './comments.js';
import type { CommentFooter } from '../plan/render-markdown.js';
import { shardLabel, type Shard } from '../engine/shard.js';

/** Marker of the plan comment: one per fleet directory (and per shard of a matrix), so a repo with two fleets gets two. */
const marker = (fleetDir: string, shard?: Shard) => `<!-- clawctl:plan fleet=${fleetDir.replace(/--/g, '')}${shard ? ` shard=${shardLabel(shard)}` : ''} -->`;

/** What an Actions run says about itself, for the comment's footer. */
export function actionsFooter(clawctlVersion: string, env: NodeJS.ProcessEnv = process.env): CommentFooter {
  const runUrl = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return { commit: env.GITHUB_SHA, runUrl, clawctlVersion };
}

/** Post or refresh the plan comment on the pull request this Actions run is about. */
export async function commentOnPullRequest(fleetDir: string, body: string, shard?: Shard): Promise<{ number: number; url: string; created: boolean }> {
  const pr = await pullRequestFromActions();
  const gh = await connectGitHub(pr.repo);
  const text = shard ? `**Shard ${shardLabel(shard)}** of the fleet's hosts (\`--shard\`): the other shards comment on their own.\n\n${body}` : body;
  const comment = await upsertComment(gh, pr.number, marker(fleetDir, shard), text);
  return { number: pr.number, ...comment };
}
