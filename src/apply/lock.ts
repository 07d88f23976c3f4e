import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

export interface LockOptions {
  /**
   * Take over a lock whose holder ran on this machine and no longer runs (its pid is gone), then
   * call this to audit the break. For watch --apply: an unattended loop that a crash left
   * locked must not wait for a person. Any other lock is refused as before.
   */
  onStaleTakeover?: (held: LockHolder) => Promise<void>;
}

/**
 * One apply per fleet at a time: .clawctl/lock is created exclusively (a hard link, which
 * fails when it exists), so two processes can't both take it. Returns the release function.
 */
export async function acquireLock(stateDir: string, command: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = lockPath(stateDir);
  const me: LockHolder = { holder: userInfo().username, machine: hostname(), pid: process.pid, command, since: new Date().toISOString() };
  // Written whole beside it, then linked into place: link(2) fails if the lock exists, and a
  // reader (or a kill) never meets an empty lock file that names nobody.
  const staged = `${path}.${process.pid}.${Date.now()}`;
  try {
    await writeFile(staged, `${JSON.stringify(me, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
    await link(staged, path);
    // Taken, then checked: a shard apply does the same the other way round, so one sees the other.
    const shards = await heldShardLocks(stateDir);
    if (shards.length > 0) {
      await rm(path, { force: true });
      throw new ClawctlError(`the fleet is locked by shard applies: ${shards.join(', ')}`, [
        { message: `${shards.length} shard lock(s) held in ${stateDir}`, hint: 'wait for the --shard applies to finish; if one died, remove its lock file after checking its holder' },
      ]);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const held = await readLock(stateDir);
    if (held && opts.onStaleTakeover && isStale(held) && (await takeOver(path, held, staged))) {
      try {
        await opts.onStaleTakeover(held);
      } catch (auditErr) {
        await rm(path, { force: true }); // a break that cannot be audited is not made
        throw auditErr;
      }
      return async () => {
        await rm(path, { force: true });
      };
    }
    throw new ClawctlError(`the fleet is locked: ${describeHolder(held)}`, [
      {
        message: `lock file ${path} is held`,
        hint:
          held && isStale(held)
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

/**
 * Replace a stale lock with ours. The stale file is first renamed aside (atomic), and only
 * removed if it is the very lock judged stale: two processes taking over at once cannot both
 * win, and a live lock that replaced the stale one meanwhile is put back.
 */
async function takeOver(path: string, held: LockHolder, staged: string): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${Date.now()}`;
  try {
    await rename(path, aside);
  } catch {
    return false; // another process moved it first
  }
  let moved: LockHolder | undefined;
  try {
    moved = JSON.parse(await readFile(aside, 'utf8')) as LockHolder;
  } catch {
    moved = undefined;
  }
  if (!moved || moved.pid !== held.pid || moved.since !== held.since || moved.machine !== held.machine) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return false;
  }
  await rm(aside, { force: true });
  try {
    await link(staged, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
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

/** A shard's own lock (`--shard I/N`): the shards of one fleet apply side by side, each under its own. */
export const shardLockPath = (stateDir: string, shard: { index: number; count: number }) => join(stateDir, `lock.shard-${shard.index}-of-${shard.count}`);

/** The shard locks held now, by file name. */
export async function heldShardLocks(stateDir: string): Promise<string[]> {
  const files = await readdir(stateDir).catch(() => [] as string[]);
  return files.filter((f) => /^lock\.shard-\d+-of-\d+$/.test(f)).sort();
}

/**
 * Take one shard's lock: exclusive as the fleet's, then refused if the fleet-wide lock or a
 * shard of another split (1/2 shares hosts with 2/4) is held. Returns the release function.
 */
export async function acquireShardLock(stateDir: string, shard: { index: number; count: number }, command: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = shardLockPath(stateDir, shard);
  const me: LockHolder = { holder: userInfo().username, machine: hostname(), pid: process.pid, command, since: new Date().toISOString() };
  const staged = `${path}.${process.pid}.${Date.now()}`;
  try {
    await writeFile(staged, `${JSON.stringify(me, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
    await link(staged, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let held: LockHolder | undefined;
    try {
      held = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    } catch {
      held = undefined;
    }
    throw new ClawctlError(`shard ${shard.index}/${shard.count} is locked: ${describeHolder(held)}`, [
      {
        message: `lock file ${path} is held`,
        hint: held && isStale(held) ? `its holder (pid ${held.pid}) no longer runs on this machine: remove ${path}` : 'wait for the other apply of this shard to finish',
      },
    ]);
  } finally {
    await rm(staged, { force: true });
  }
  const overlapping = [...((await readLock(stateDir)) ? ['lock'] : []), ...(await heldShardLocks(stateDir)).filter((f) => !f.endsWith(`-of-${shard.count}`))];
  if (overlapping.length > 0) {
    await rm(path, { force: true });
    throw new ClawctlError(`shard ${shard.index}/${shard.count} overlaps an apply in progress: ${overlapping.join(', ')}`, [
      { message: `held in ${stateDir}: ${overlapping.join(', ')}`, hint: 'a whole-fleet apply, or shards of another split, hold some of these hosts; wait for them' },
    ]);
  }
  return async () => {
    await rm(path, { force: true });
  };
}
