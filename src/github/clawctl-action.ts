import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ClawctlError } from '../util/errors.js';
import { parseRepoRef } from './client.js';

const run = promisify(execFile);

/**
 * clawctl's own GitHub Action (action.yml at its repository's root), as a workflow names it:
 * `owner/repo@<full commit sha>`. The workflows `clawctl init` writes install clawctl with it,
 * so the sha decides exactly which clawctl runs next to the fleet's keys.
 */
export interface ClawctlAction {
  repo: string;
  commit: string;
}

export const actionRef = (a: ClawctlAction) => `${a.repo}@${a.commit}`;

/** `owner/repo@<40 hex>`: a tag or a branch could be moved to other code, a commit cannot. */
export function parseActionRef(spec: string): ClawctlAction {
  const m = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)@([0-9a-f]{40})$/.exec(spec.trim());
  if (!m) {
    throw new ClawctlError(`--action ${spec}: expected OWNER/REPO@<full commit sha>`, [
      { message: `${spec} is not pinned to a full commit sha`, hint: 'a tag or branch can be moved to other code; name the commit, e.g. acme/clawctl@$(git -C path/to/clawctl rev-parse HEAD)' },
    ]);
  }
  return { repo: m[1]!, commit: m[2]! };
}

/**
 * Where this clawctl came from, when that can be known: the GitHub repository and commit of the
 * git checkout it runs from, or the repository and commit npm recorded when it was installed
 * from git (`npm install github:owner/clawctl#<sha>` writes them into the lockfile beside it).
 */
export async function findClawctlAction(packageRoot: string): Promise<ClawctlAction | undefined> {
  return (await fromGitCheckout(packageRoot)) ?? (await fromNpmInstall(packageRoot));
}

async function fromGitCheckout(root: string): Promise<ClawctlAction | undefined> {
  try {
    const git = (...args: string[]) => run('git', ['-C', root, ...args], { encoding: 'utf8' }).then((r) => r.stdout.trim());
    // Only a checkout of clawctl itself, not some repository that happens to hold node_modules/clawctl.
    if ((await realpath(await git('rev-parse', '--show-toplevel'))) !== (await realpath(root))) return undefined;
    const repo = parseRepoRef(await git('remote', 'get-url', 'origin'));
    const commit = await git('rev-parse', 'HEAD');
    return repo && /^[0-9a-f]{40}$/.test(commit) ? { repo: `${repo.owner}/${repo.repo}`, commit } : undefined;
  } catch {
    return undefined;
  }
}

/** npm keeps a lockfile of what it installed in node_modules/.package-lock.json, with a git dependency's commit. */
async function fromNpmInstall(root: string): Promise<ClawctlAction | undefined> {
  const nodeModules = dirname(root);
  if (basename(nodeModules) !== 'node_modules') return undefined;
  try {
    const lock = JSON.parse(await readFile(join(nodeModules, '.package-lock.json'), 'utf8')) as { packages?: Record<string, { resolved?: string }> };
    const resolved = lock.packages?.[`node_modules/${basename(root)}`]?.resolved ?? '';
    const m = /^(?:git\+)?(.+?)#([0-9a-f]{40})$/.exec(resolved);
    const repo = m ? parseRepoRef(m[1]!) : undefined;
    return repo ? { repo: `${repo.owner}/${repo.repo}`, commit: m![2]! } : undefined;
  } catch {
    return undefined;
  }
}
