import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { ClawctlError } from '../util/errors.js';

/** Who holds the fleet's apply lock, as written in .clawctl/lock. */
export interface LockHolder {
  holder: string;
  machine: string;
  pid: number;
  command: string;
  since: string;
}

export const lockPath = (stateDir: string) => join(stateDir, 'lock');

/**
 * One apply per fleet at a time: .clawctl/lock is created exclusively (a hard link, which
 * fails when it exists), so two processes can't both take it. Returns the release function.
 */
export async function acquireLock(stateDir: string, command: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = lockPath(stateDir);
  const me: LockHolder = { holder: userInfo().username, machine: hostname(), pid: process.pid, command, since: new Date().toISOString() };
  // Written whole beside it, then linked into place: link(2) fails if the lock exists, and a
  // reader (or a kill) never meets an empty lock file that names nobody.
  const staged = `${path}.${process.pid}.${Date.now()}`;
  try {
    await writeFile(staged, `${JSON.stringify(me, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
    await link(staged, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const held = await readLock(stateDir);
    throw new ClawctlError(`the fleet is locked: ${describeHolder(held)}`, [
      {
        message: `lock file ${path} is held`,
        hint: held && isStale(held)
          ? `the holder's process (pid ${held.pid}) no longer runs on this machine: the lock is stale; run \`clawctl unlock\``
          : 'wait for the other apply to finish; if it died, run `clawctl unlock`',
      },
    ]);
  } finally {
    await rm(staged, { force: true });
  }
  return async () => {
    await rm(path, { force: true });
  };
}

export async function readLock(stateDir: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(lockPath(stateDir), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

export function describeHolder(held: LockHolder | undefined): string {
  if (!held) return 'held by an unknown process (unreadable lock file)';
  return `held by ${held.holder} on ${held.machine} (pid ${held.pid}, \`${held.command}\`) since ${held.since}`;
}

/** A lock taken on this machine by a process that no longer exists. */
export function isStale(held: LockHolder): boolean {
  if (held.machine !== hostname()) return false;
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
