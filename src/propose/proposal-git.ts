import { mkdtemp, mkdir, copyFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { gitAt } from '../util/git.js';
import { fleetRepoRoot } from '../load/repo-root.js';
import { ClawctlError } from '../util/errors.js';

/** The user's checkout of the fleet repo, which a proposal never changes. */
export interface Checkout {
  root: string;
  /** The fleet directory relative to the repo root ('' when it is the root). */
  fleetRel: string;
  git: SimpleGit;
}

/**
 * A throwaway worktree at the checkout's HEAD, where the proposal is built and committed:
 * the checkout's own branch, index and files stay as they were, whatever fails.
 */
export interface Worktree {
  root: string;
  fleetDir: string;
  git: SimpleGit;
  remove(): Promise<void>;
}

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted';
}

export async function openCheckout(fleetDir: string): Promise<Checkout> {
  const root = fleetRepoRoot(fleetDir);
  if (!existsSync(join(root, '.git'))) {
    throw new ClawctlError(`${fleetDir} is not inside a git repository`, [{ message: 'propose commits to the fleet repo', hint: 'run it in a clone of the fleet repo (git clone …)' }]);
  }
  const git = gitAt(root);
  if (!(await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')).trim()) {
    throw new ClawctlError(`the fleet repo ${root} has no commit yet`, [
      { message: "propose builds on the checkout's last commit", hint: 'commit the fleet once first (git add fleet && git commit), then propose changes to it' },
    ]);
  }
  return { root, fleetRel: relative(root, resolve(fleetDir)), git };
}

/** The branch the checkout is on, as the default base of the pull request. */
export async function currentBranch(c: Checkout): Promise<string | undefined> {
  const name = (await c.git.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return name === 'HEAD' ? undefined : name;
}

export async function remoteUrl(c: Checkout, remote: string): Promise<string> {
  const url = (await c.git.remote(['get-url', remote]).catch(() => undefined))?.trim();
  if (!url)
    throw new ClawctlError(`the fleet repo has no remote "${remote}"`, [{ message: `git remote get-url ${remote} failed`, hint: 'push needs a remote: git remote add origin URL, or --remote NAME' }]);
  return url;
}

/** A worktree at HEAD holding the checkout's uncommitted changes under the fleet directory (and nothing else). */
export async function addWorktree(c: Checkout): Promise<Worktree> {
  const root = await mkdtemp(join(tmpdir(), 'clawctl-propose-'));
  await c.git.raw(['worktree', 'prune']);
  await c.git.raw(['worktree', 'add', '--detach', '--quiet', root, 'HEAD']).catch(async (err: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw new ClawctlError(`cannot make a worktree for the proposal: ${firstLine(err)}`);
  });
  const remove = async () => {
    await c.git.raw(['worktree', 'remove', '--force', root]).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const spec = c.fleetRel || '.';
    const tracked = (await c.git.raw(['diff', '--name-only', '-z', 'HEAD', '--', spec])).split('\0');
    const untracked = (await c.git.raw(['ls-files', '-z', '--others', '--exclude-standard', '--', spec])).split('\0');
    for (const path of [...tracked, ...untracked].filter(Boolean)) {
      const from = join(c.root, path);
      const to = join(root, path);
      if (existsSync(from)) {
        await mkdir(dirname(to), { recursive: true });
        await copyFile(from, to);
      } else {
        await rm(to, { force: true });
      }
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { root, fleetDir: join(root, c.fleetRel), git: gitAt(root), remove };
}

/** Stage everything under the fleet directory; what would be committed, or none. */
export async function stagedChanges(wt: Worktree, fleetRel: string): Promise<ChangedFile[]> {
  await wt.git.raw(['add', '--all', '--', fleetRel || '.']);
  const out = await wt.git.raw(['diff', '--cached', '--name-status', '--no-renames', '-z']);
  const parts = out.split('\0').filter(Boolean);
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    files.push({ status: parts[i] === 'A' ? 'added' : parts[i] === 'D' ? 'deleted' : 'modified', path: parts[i + 1]! });
  }
  return files;
}

export async function commit(wt: Worktree, message: string): Promise<{ commit: string; tree: string }> {
  try {
    await wt.git.raw(['commit', '--quiet', '--no-verify', '-m', message]);
  } catch (err) {
    throw new ClawctlError(`git commit failed: ${firstLine(err)}`, [
      { message: 'the proposal could not be committed', hint: 'git needs an author: git config user.name and user.email (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL)' },
    ]);
  }
  const [commitId, tree] = (await wt.git.raw(['rev-parse', 'HEAD', 'HEAD^{tree}'])).trim().split('\n');
  return { commit: commitId!, tree: tree! };
}

/** The tree of the branch on the remote, if the branch exists there. */
export async function remoteBranchTree(wt: Worktree, remote: string, branch: string): Promise<string | undefined> {
  const heads = (await wt.git.raw(['ls-remote', '--heads', remote, `refs/heads/${branch}`])).trim();
  if (!heads) return undefined;
  await wt.git.raw(['fetch', '--quiet', remote, `refs/heads/${branch}`]);
  return (await wt.git.raw(['rev-parse', 'FETCH_HEAD^{tree}'])).trim();
}

/** `replace`: the branch exists and takes this commit instead (an incident's branch, proposed again). */
export async function push(wt: Worktree, remote: string, branch: string, replace = false): Promise<void> {
  try {
    await wt.git.raw(['push', '--quiet', ...(replace ? ['--force'] : []), remote, `HEAD:refs/heads/${branch}`]);
  } catch (err) {
    throw new ClawctlError(`git push to ${remote} ${branch} failed: ${firstLine(err)}`, [
      { message: `could not push the proposal branch ${branch}`, hint: 'check push access to the fleet repo (a deploy key or token with contents write)' },
    ]);
  }
}

function firstLine(err: unknown): string {
  return (
    String((err as Error).message ?? err)
      .trim()
      .split('\n')[0] ?? ''
  );
}
