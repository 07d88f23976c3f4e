import { acquireShardLock } from '../apply/lock.js';
import { clawctlStateDir } from '../load/repo-root.js';
import { observesThroughGate } from '../observe/observer-gate.js';
import { ClawctlError } from '../util/errors.js';
import { shardLabel, type Shard } from './shard.js';

/**
 * Hold one shard's apply lock for the whole of fn (`apply --shard I/N`): shards of a CI matrix
 * apply side by side, while a whole-fleet apply and any overlapping shard are kept out.
 */
export async function withShardLock<T>(fleetDir: string, shard: Shard, command: string, fn: () => Promise<T>): Promise<T> {
  if (observesThroughGate()) {
    throw new ClawctlError('CLAWCTL_OBSERVER=1: this run holds only the observation key, which can change nothing', [
      {
        message: `${command} changes hosts; the hosts accept the observation key only for clawctl's facts script`,
        hint: 'run it where the full SSH key is (the apply workflow), without CLAWCTL_OBSERVER',
      },
    ]);
  }
  const release = await acquireShardLock(clawctlStateDir(fleetDir), shard, `${command} (shard ${shardLabel(shard)})`);
  try {
    return await fn();
  } finally {
    await release();
  }
}
