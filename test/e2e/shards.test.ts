import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/engine/shard.js';
import { clawctl } from '../harness/cli.js';
import { LOCAL_FLEET } from '../harness/local-fleet.js';

const HOSTS = Array.from({ length: 8 }, (_, i) => `h${i}`);

/** A fleet split over a CI matrix: each shard plans and applies its own hosts, side by side. */
describe('--shard on the command line', () => {
  let root: string;
  const run = (...args: string[]) => clawctl(args, { cwd: root });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-shards-'));
    mkdirSync(join(root, 'fleet'));
    const docs = [LOCAL_FLEET('shards')];
    for (const h of HOSTS) {
      docs.push(`apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: ${h}}\nspec: {local: {home: ../homes/${h}}, service: none}`);
      docs.push(`apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: ${h}-claw}\nspec: {host: ${h}, env: {SHARD_TEST: "1"}}`);
    }
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), docs.join('\n---\n'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("plans each shard's own hosts, applies the shards at once, and leaves nothing for the whole fleet", async () => {
    const planned = await Promise.all(
      [1, 2].map(async (i) => {
        const res = await run('plan', '--json', '--shard', `${i}/2`);
        expect(res.code, res.stderr).toBe(0);
        return (JSON.parse(res.stdout) as { changes: { host: string }[] }).changes.map((c) => c.host).sort();
      }),
    );
    for (const [i, hosts] of planned.entries()) expect(hosts).toEqual(HOSTS.filter((h) => shardOf(h, 2) === i + 1).sort());
    expect([...planned[0]!, ...planned[1]!].sort()).toEqual([...HOSTS].sort());

    const applied = await Promise.all([1, 2].map((i) => run('apply', '--auto-approve', '--shard', `${i}/2`)));
    for (const res of applied) expect(res.code, res.stdout + res.stderr).toBe(0);
    const whole = await run('plan', '--detailed-exitcode');
    expect(whole.code, whole.stdout).toBe(0);
    // Both shards wrote the one audit log at once, and its chain holds.
    const verify = await run('audit', 'verify');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('keeps a whole-fleet apply out while a shard holds its lock', async () => {
    mkdirSync(join(root, '.clawctl'), { recursive: true });
    const lock = join(root, '.clawctl', 'lock.shard-2-of-2');
    writeFileSync(lock, JSON.stringify({ holder: 'ci', machine: 'runner-2', pid: 1, command: 'clawctl apply --shard 2/2', since: new Date().toISOString() }));
    try {
      const res = await run('apply', '--auto-approve');
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('the fleet is locked by shard applies: lock.shard-2-of-2');
      const other = await run('apply', '--auto-approve', '--shard', '1/2');
      expect(other.code, other.stderr).toBe(0);
    } finally {
      rmSync(lock, { force: true });
    }
  });
});
