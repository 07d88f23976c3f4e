import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

/**
 * The GitOps loop against real sshd hosts: plan, apply, drift, stale plans, bad keys, down hosts.
 * Every case starts from the same fleet files, all hosts up and no lock (beforeEach), and sets
 * up the host state it needs itself (fresh or converged): any one runs alone, in any order.
 */
describe('plan and apply over SSH', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let hosts: SshHost[];
  const baseline: AgentDef[] = [
    { name: 'alpha', host: 'h1', port: 19001, env: { BANNER: 'alpha-secret-value' } },
    { name: 'beta', host: 'h2', profile: 'beta', port: 19002 },
    { name: 'gamma', host: 'h2', profile: 'gamma', port: 19003, env: { QUOTED: `it's $(touch /tmp/clawctl-pwned); \`id\`` } },
    { name: 'delta', host: 'h3', port: 19004 },
  ];
  /** The case's own copy of the agents: a case edits it freely. */
  let agents: AgentDef[];
  const fleet = () => writeFleet(repo, hosts, agents, { identityFile: client.privateKeyPath });
  const run = (...args: string[]) => clawctl(args, { cwd: repo });

  /** No agent on any host yet: every state dir clawctl made is gone. */
  function freshHosts(): void {
    for (const h of hosts) for (const d of readdirSync(h.home)) if (d.startsWith('.openclaw')) rmSync(join(h.home, d), { recursive: true, force: true });
  }

  /** Every host holds the baseline fleet. */
  async function converged(): Promise<void> {
    const res = await run('apply', '--auto-approve');
    expect(res.code, `converging before the case: ${res.stdout}${res.stderr}`).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-e2e-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    hosts = await Promise.all(['h1', 'h2', 'h3'].map((n) => startSshHost(n, root, client)));
  });

  beforeEach(async () => {
    agents = structuredClone(baseline);
    for (const h of hosts) await h.start(); // a no-op for a running one
    rmSync(join(repo, '.clawctl', 'lock'), { force: true });
    fleet();
  });

  afterAll(async () => {
    await Promise.all((hosts ?? []).map((h) => h.remove()));
    rmSync(root, { recursive: true, force: true });
  });

  const remote = (host: SshHost, path: string) => join(host.home, path);

  it('plans creates on fresh hosts, applies them, and then has nothing to do', async () => {
    freshHosts();
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('# host h2');
    expect(plan.stdout).toContain('+ openclaw.json (mode 0600)');
    expect(plan.stdout).toMatch(/Plan: 4 agents to add, 0 to change, 0 to destroy \(8 files to write\)\.$/m);
    expect(plan.stdout).not.toContain('alpha-secret-value');

    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete! 4 agent(s) applied');

    const [h1, h2] = hosts;
    const config = JSON.parse(readFileSync(remote(h1!, '.openclaw/openclaw.json'), 'utf8'));
    expect(config.gateway).toEqual({ mode: 'local', bind: 'loopback', port: 19001 });
    const env = statSync(remote(h2!, '.openclaw-gamma/.env'));
    expect(env.mode & 0o777).toBe(0o600);
    expect(env.uid).toBe(h2!.uid);
    expect(readFileSync(remote(h2!, '.openclaw-gamma/.env'), 'utf8')).toContain('QUOTED="it\'s $(touch /tmp/clawctl-pwned); `id`"');
    expect(existsSync('/tmp/clawctl-pwned')).toBe(false);

    const again = await run('plan', '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });

  it('reports an out-of-band edit as drift with exit 2, and --json carries the patch', async () => {
    await converged();
    const h1 = hosts[0]!;
    const path = remote(h1, '.openclaw/openclaw.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    config.gateway.bind = 'lan';
    writeFileSync(path, JSON.stringify(config));
    chownSync(path, h1.uid, h1.gid);

    const text = await run('plan', '--detailed-exitcode');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('~ /gateway/bind: "lan" → "loopback"');
    expect(text.stdout).toMatch(/Plan: 0 agents to add, 1 to change, 0 to destroy \(1 file to write\)\./);

    const json = await run('plan', '--json');
    const plan = JSON.parse(json.stdout);
    expectOutputSchema('plan', plan);
    expect(plan.format_version).toBe('1.6');
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0].actions[0].patch).toEqual([{ op: 'replace', path: '/gateway/bind', value: 'loopback' }]);
    expect(json.stderr).toBe(''); // --json: the document alone

    const apply = await run('apply', '--auto-approve', '--json');
    expect(apply.code).toBe(0);
    expectOutputSchema('apply', JSON.parse(apply.stdout));
    expect(readFileSync(`${path}.clawctl-prev`, 'utf8')).toContain('"lan"');
    for (const command of ['status', 'agents list']) {
      const res = await run(...command.split(' '), '--json');
      expect(res.code).toBe(0);
      expectOutputSchema(command, JSON.parse(res.stdout));
    }
    const info = await run('agents', 'info', 'gamma', '--json');
    expectOutputSchema('agents info', JSON.parse(info.stdout));
    expect(info.stdout).not.toContain('clawctl-pwned');
  });

  it('refuses a saved plan when a host changed after planning, and applies a fresh one', async () => {
    await converged();
    const h3 = hosts[2]!;
    agents[3]!.config = { logging: { level: 'debug' } };
    fleet();
    const out = join(repo, 'plan.json');
    expect((await run('plan', '--out', out)).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const path = remote(h3, '.openclaw/openclaw.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('19004', '19044'));
    const stale = await run('apply', out);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('agent delta on host h3 changed since the plan was made');
    expect(readFileSync(path, 'utf8')).toContain('19044');

    expect((await run('plan', '--out', out)).code).toBe(0);
    const ok = await run('apply', out);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).logging).toEqual({ level: 'debug' });
  });

  it('refuses a saved plan when the fleet changed after planning', async () => {
    const out = join(repo, 'plan2.json');
    agents[0]!.env = { BANNER: 'rotated-secret-value' };
    fleet();
    expect((await run('plan', '--out', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('rotated-secret-value');
    agents[0]!.env = { BANNER: 'another-secret-value' };
    fleet();
    const stale = await run('apply', out);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the fleet directory changed since the plan was made');
  });

  it('refuses a host whose key is not the pinned one, naming the fingerprint seen and how to pin it', async () => {
    const other = join(root, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFleet(repo, hosts, agents, { identityFile: client.privateKeyPath, hostKeys: { h2: wrong } });
    const res = await run('plan');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/Error: host h2: host key mismatch at .*: the server presented SHA256:\S+, the manifest pins SHA256:\S+; refusing to connect/);
    expect(res.stdout).toContain(`spec.ssh.hostKey: "${hosts[1]!.hostKey}"`);
    expect(res.stdout).toContain('not planned: beta, gamma');
  });

  it('plans the other hosts when one is down, with a clear error for that one', async () => {
    const h3 = hosts[2]!;
    await h3.stop();
    try {
      agents[0]!.config = { logging: { level: 'warn' } };
      fleet();
      const res = await run('plan', '--json');
      expect(res.code).toBe(1);
      const plan = JSON.parse(res.stdout);
      expectOutputSchema('plan', plan);
      expect(plan.unreachable).toEqual([expect.objectContaining({ host: 'h3', agents: ['delta'] })]);
      expect(plan.unreachable[0].error).toContain('ECONNREFUSED');
      expect(plan.changes.map((c: { agent: string }) => c.agent)).toContain('alpha');
    } finally {
      await h3.start();
    }
  });

  it('holds one apply per fleet: a held lock is refused, unlock clears a stale one', async () => {
    const lock = join(repo, '.clawctl', 'lock');
    mkdirSync(join(repo, '.clawctl'), { recursive: true });
    writeFileSync(lock, JSON.stringify({ holder: 'someone', machine: 'elsewhere', pid: 1, command: 'clawctl apply', since: '2026-01-01T00:00:00Z' }));
    const held = await run('apply', '--auto-approve');
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('the fleet is locked: held by someone on elsewhere (pid 1, `clawctl apply`)');
    const unlock = await run('unlock', '--json');
    expectOutputSchema('unlock', JSON.parse(unlock.stdout));
    expect(JSON.parse(unlock.stdout)).toMatchObject({ removed: true, holder: { holder: 'someone' } });
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});
