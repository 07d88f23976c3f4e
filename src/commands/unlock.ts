import { rm, stat } from 'node:fs/promises';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { describeHolder, lockPath, readLock, type LockHolder } from '../apply/lock.js';
import { clawctlStateDir } from '../load/repo-root.js';
import { auditLog } from '../audit/audit-log.js';

export interface UnlockResult {
  removed: boolean;
  holder?: LockHolder;
}

export default class Unlock extends BaseCommand<UnlockResult> {
  static override summary = "Remove the fleet's apply lock left by an apply that died";
  static override description = 'Only for a stale lock: removing the lock of a running apply lets a second one run beside it.';
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<UnlockResult> {
    const { flags } = await this.parse(Unlock);
    const dir = clawctlStateDir(flags.fleet);
    const holder = await readLock(dir);
    // A lock file that names nobody (left by an older clawctl killed as it took it) is a lock too.
    const existed = await stat(lockPath(dir)).then(
      () => true,
      () => false,
    );
    await rm(lockPath(dir), { force: true });
    if (existed) await auditLog(flags.fleet, flags.audit).record([{ action: 'lock.break', target: lockPath(dir), result: 'removed', details: { holder: describeHolder(holder) } }]);
    this.say(existed ? `Removed the lock ${describeHolder(holder)}.` : 'The fleet was not locked.');
    return { removed: existed, ...(holder ? { holder } : {}) };
  }
}
