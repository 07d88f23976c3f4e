import { createHash } from 'node:crypto';
import { ClawctlError } from '../util/errors.js';

/** `--shard I/N`: the I-th of N shares of the fleet's hosts (1-based, as a CI matrix counts). */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards a fleet splits into: a GitHub Actions matrix runs at most 256 jobs. */
export const MAX_SHARDS = 256;

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new ClawctlError(`--shard ${text}: expected I/N with 1 <= I <= N <= ${MAX_SHARDS}`, [
      { message: `--shard takes the shard's number and the number of shards, got "${text}"`, hint: 'e.g. --shard 2/4 in the second of four matrix jobs' },
    ]);
  }
  return { index, count };
}

export const shardLabel = (s: Shard) => `${s.index}/${s.count}`;

/**
 * The shard (1..count) a host belongs to: a function of its name and the count alone, so a
 * host stays in its shard whatever hosts are added or removed, and every runner of a matrix
 * agrees without talking to the others. Jump consistent hash (Lamping and Veach, 2014) over
 * the name's SHA-256: shares are even, and going from N to N+1 shards moves only 1/(N+1) of
 * the hosts, all of them into the new shard.
 */
export function shardOf(host: string, count: number): number {
  let key = createHash('sha256').update(host).digest().readBigUInt64BE(0);
  let b = -1;
  let j = 0;
  while (j < count) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
  }
  return b + 1;
}

export const inShard = (host: string, shard: Shard | undefined) => !shard || shardOf(host, shard.count) === shard.index;

/** A saved plan applied with --shard must hold only that shard's hosts: its lock covers no others. */
export function checkPlanInShard(plan: { changes: { host: string }[]; hosts: { host: string }[] }, shard: Shard): void {
  const outside = [...new Set([...plan.changes, ...plan.hosts].map((c) => c.host))].filter((h) => !inShard(h, shard)).sort();
  if (outside.length > 0) {
    throw new ClawctlError(`the saved plan touches hosts outside shard ${shardLabel(shard)}; nothing was applied`, [
      { message: `not in shard ${shardLabel(shard)}: ${outside.join(', ')}`, hint: `apply it with the --shard it was planned with (plan --shard ${shardLabel(shard)} --out …), or without --shard` },
    ]);
  }
}
