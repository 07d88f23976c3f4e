import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, acquireShardLock } from '../../src/apply/lock.js';
import type { DesiredState } from '../../src/desired/desired-state.js';
import { pruneHosts, scoped } from '../../src/engine/fleet-run.js';
import { checkPlanInShard, parseShard, shardOf } from '../../src/engine/shard.js';

const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `host-${String(i + from).padStart(5, '0')}`);

describe('--shard I/N', () => {
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['2/4', { index: 2, count: 4 }],
    [' 4/4 ', { index: 4, count: 4 }],
    ['256/256', { index: 256, count: 256 }],
  ])('parses %j', (text, shard) => expect(parseShard(text)).toEqual(shard));

  it.each(['0/4', '5/4', '1/0', '1/257', '1-4', '1/4/2', 'a/b', '', '-1/4'])('refuses %j', (text) => {
    expect(() => parseShard(text)).toThrow(/expected I\/N/);
  });
});

describe('shard assignment', () => {
  // Pinned (checked against the paper's reference over the same SHA-256 keys): every runner of a
  // matrix, on any machine and any clawctl version, must agree.
  it.each([
    ['h1', 4, 1],
    ['h2', 4, 3],
    ['web-prod-eu-1', 4, 2],
    ['host-00000', 4, 4],
    ['host-00000', 1, 1],
    ['host-00042', 7, 6],
  ])('%s of %i shards is in shard %i', (host, count, shard) => expect(shardOf(host, count)).toBe(shard));

  it.each([2, 3, 4, 8, 16])('spreads 10,000 hosts evenly over %i shards (each within 8%% of its share)', (count) => {
    const sizes = new Array<number>(count).fill(0);
    for (const h of names(10_000)) sizes[shardOf(h, count) - 1]!++;
    const share = 10_000 / count;
    for (const size of sizes) expect(Math.abs(size - share) / share).toBeLessThan(0.08);
  });

  it('keeps every host in its shard when hosts are added or removed', () => {
    const before = new Map(names(1_000).map((h) => [h, shardOf(h, 4)]));
    const grown = [...names(500, 5_000), ...names(1_000)].reverse();
    for (const h of grown) if (before.has(h)) expect(shardOf(h, 4)).toBe(before.get(h));
  });

  it.each([1, 3, 4, 7])('moves only about 1/(N+1) of the hosts, all into the new shard, going from %i to N+1 shards', (count) => {
    const moved = names(10_000).filter((h) => shardOf(h, count) !== shardOf(h, count + 1));
    for (const h of moved) expect(shardOf(h, count + 1)).toBe(count + 1);
    expect(Math.abs(moved.length / 10_000 - 1 / (count + 1))).toBeLessThan(0.02);
  });

  it('splits a fleet into disjoint shards that together are the whole fleet, agents with their hosts', () => {
    const hosts = names(200);
    const desired = {
      hosts: hosts.map((name) => ({ name, labels: {}, connection: { kind: 'local', home: '/x' }, service: 'none', commandTimeoutSeconds: 60 })),
      agents: hosts.flatMap((h) => [
        { name: `${h}-a`, host: h, labels: {} },
        { name: `${h}-b`, host: h, labels: {} },
      ]),
    } as unknown as DesiredState;
    const seen = new Set<string>();
    for (let i = 1; i <= 4; i++) {
      const scope = { targets: [], selector: {}, shard: { index: i, count: 4 } };
      const part = scoped(desired, scope);
      for (const h of part.hosts) {
        expect(seen.has(h.name)).toBe(false);
        seen.add(h.name);
      }
      expect(new Set(part.agents.map((a) => a.host))).toEqual(new Set(part.hosts.map((h) => h.name)));
      expect(pruneHosts(desired, scope).sort()).toEqual(part.hosts.map((h) => h.name).sort());
    }
    expect(seen.size).toBe(200);
  });

  it('refuses a saved plan with hosts of another shard', () => {
    const h = names(50).find((n) => shardOf(n, 4) === 2)!;
    expect(() => checkPlanInShard({ changes: [{ host: h }], hosts: [] }, { index: 2, count: 4 })).not.toThrow();
    expect(() => checkPlanInShard({ changes: [{ host: h }], hosts: [] }, { index: 1, count: 4 })).toThrow(/outside shard 1\/4/);
  });
});

describe('per-shard locks', () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'clawctl-shard-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('lets the shards of one split apply side by side, but not one shard twice', async () => {
    const dir = stateDir();
    const releases = await Promise.all([1, 2, 3, 4].map((i) => acquireShardLock(dir, { index: i, count: 4 }, 'apply')));
    await expect(acquireShardLock(dir, { index: 2, count: 4 }, 'apply')).rejects.toThrow(/shard 2\/4 is locked/);
    for (const r of releases) await r();
    await (await acquireShardLock(dir, { index: 2, count: 4 }, 'apply'))();
  });

  it('keeps a whole-fleet apply and shard applies, or shards of two splits, apart', async () => {
    const dir = stateDir();
    const shard = await acquireShardLock(dir, { index: 1, count: 4 }, 'apply');
    await expect(acquireLock(dir, 'apply')).rejects.toThrow(/locked by shard applies: lock.shard-1-of-4/);
    await expect(acquireShardLock(dir, { index: 1, count: 2 }, 'apply')).rejects.toThrow(/overlaps an apply in progress: lock.shard-1-of-4/);
    await shard();
    const fleet = await acquireLock(dir, 'apply');
    await expect(acquireShardLock(dir, { index: 3, count: 4 }, 'apply')).rejects.toThrow(/overlaps an apply in progress: lock$/);
    await fleet();
  });
});
