import { hostname, userInfo } from 'node:os';

/**
 * Who is acting, for the audit log: the CI run when in GitHub Actions, else the author git
 * would record for the fleet repo (its config, or GIT_AUTHOR_* as set for a bot), else the local user.
 */
export async function currentActor(repoDir: string): Promise<string> {
  const env = process.env;
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID) {
    return `ci:${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? '?'}/actions/runs/${env.GITHUB_RUN_ID} (${env.GITHUB_ACTOR ?? '?'})`;
  }
  // simple-git is loaded only when an entry is written.
  const { gitAt } = await import('../util/git.js');
  const ident = await gitAt(repoDir)
    .raw(['var', 'GIT_AUTHOR_IDENT'])
    .catch(() => '');
  const author = /^(.*<[^>]*>) \d+ [+-]\d{4}$/.exec(ident.trim())?.[1];
  if (author) return `git:${author}`;
  return `user:${userInfo().username}@${hostname()}`;
}
