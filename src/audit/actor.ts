import { hostname, userInfo } from 'node:os';
import { simpleGit } from 'simple-git';

/**
 * Who is acting, for the audit log: the CI run when in GitHub Actions, else the git author
 * configured for the fleet repo, else the local user.
 */
export async function currentActor(repoDir: string): Promise<string> {
  const env = process.env;
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID) {
    return `ci:${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? '?'}/actions/runs/${env.GITHUB_RUN_ID} (${env.GITHUB_ACTOR ?? '?'})`;
  }
  const git = simpleGit(repoDir);
  const [name, email] = await Promise.all([git.getConfig('user.name'), git.getConfig('user.email')]).catch(() => [undefined, undefined]);
  if (name?.value && email?.value) return `git:${name.value} <${email.value}>`;
  return `user:${userInfo().username}@${hostname()}`;
}
