import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAWCTL, clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

/** SIGKILL an apply at several points: every file is old or new, never partial, and the next apply completes. */
describe('an apply killed mid-way', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let hosts: SshHost[];
  const names = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'];
  // Large files widen the window in which a kill lands inside a write.
  const payload = (gen: number) => `${gen}`.repeat(60_000);
  const agents = (gen: number): AgentDef[] =>
    names.map((name, i) => ({
      name,
      host: i < 3 ? 'h1' : 'h2',
      profile: name,
      port: 19100 + i,
      config: { generation: gen, blob: payload(gen) },
      env: { BANNER: `gen-${gen}-${payload(gen)}` },
    }));
  const fleet = (gen: number) => writeFleet(repo, hosts, agents(gen), { identityFile: client.privateKeyPath });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-kill-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    hosts = await Promise.all(['h1', 'h2'].map((n) => startSshHost(n, root, client)));
    fleet(0);
    const first = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(first.code, first.stderr).toBe(0);
  });

  afterAll(async () => {
    await Promise.all((hosts ?? []).map((h) => h.remove()));
    rmSync(root, { recursive: true, force: true });
  });

  /** Each agent's files, as generations: a partial file would fail to parse or mix them. */
  function generations(): { config: number; env: number }[] {
    return names.map((name, i) => {
      const dir = join(hosts[i < 3 ? 0 : 1]!.home, `.openclaw-${name}`);
      const config = JSON.parse(readFileSync(join(dir, 'openclaw.json'), 'utf8'));
      expect(config.blob).toBe(payload(config.generation));
      const token = parseDotenv(readFileSync(join(dir, '.env'), 'utf8')).BANNER!;
      const gen = Number(token.split('-')[1]);
      expect(token).toBe(`gen-${gen}-${payload(gen)}`);
      return { config: config.generation, env: gen };
    });
  }

  it('leaves every file old or new at any kill point, and the next apply completes', async () => {
    let gen = 0;
    for (const delay of [250, 500, 800, 1100, 1500, 2000]) {
      gen++;
      fleet(gen);
      const child = spawn(process.execPath, [CLAWCTL, 'apply', '--auto-approve'], { cwd: repo, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      for (const g of generations()) expect(g.config).toBeLessThanOrEqual(gen);
      // The killed apply held the lock: a later apply is refused until it is cleared.
      await clawctl(['unlock'], { cwd: repo });
    }

    const stale = spawn(process.execPath, [CLAWCTL, 'apply', '--auto-approve'], { cwd: repo, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    stale.kill('SIGKILL');
    await new Promise((r) => stale.once('exit', r));
    const refused = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    if (refused.code !== 0) {
      expect(refused.stderr).toContain('the lock is stale; run `clawctl unlock`');
      expect((await clawctl(['unlock'], { cwd: repo })).code).toBe(0);
    }

    const done = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(generations()).toEqual(names.map(() => ({ config: gen, env: gen })));
    const plan = await clawctl(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.code).toBe(0);
  });
});
