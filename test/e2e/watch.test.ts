import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

interface Cycle {
  cycle: number;
  trigger: string;
  outcome: string;
  error?: { message: string; diagnostics: { pos?: { file: string; line: number } }[] };
}

/** Start watch --json in `cwd`; next(n) waits for its n-th cycle, stop() sends Ctrl-C. */
function startWatch(args: string[], cwd: string) {
  const watch = startClawctl(['watch', '--json', ...args], { cwd, env: { GITHUB_ACTIONS: '' } });
  const seen = (): Cycle[] =>
    watch
      .stdout()
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Cycle);
  const next = async (n: number): Promise<Cycle> => {
    for (let i = 0; i < 300 && seen().length < n; i++) await new Promise((r) => setTimeout(r, 100));
    const cycles = seen();
    if (cycles.length < n) throw new Error(`watch gave ${cycles.length} cycle(s) in 30 s, waiting for cycle ${n}; stderr: ${watch.stderr()}`);
    return cycles[n - 1]!;
  };
  const stop = async (): Promise<number | null> => {
    watch.child.kill('SIGINT');
    return (await watch.done).code;
  };
  return { next, stop, seen };
}

/** The reconcile loop as a process: file changes and the drift interval wake it; --apply self-heals. */
describe('clawctl watch', () => {
  let root: string;
  const agent = (banner: string) => `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: claw}\nspec:\n  host: h\n  env: {BANNER: ${banner}}\n`;
  const configFile = () => join(root, 'home', '.openclaw', 'openclaw.json');

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-watch-'));
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('w')}\n---\n${LOCAL_HOST}\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Each case writes the agent it needs: none depends on another having run.
  const applies = () => (existsSync(join(root, '.clawctl', 'audit.jsonl')) ? (readFileSync(join(root, '.clawctl', 'audit.jsonl'), 'utf8').match(/"action":"apply"/g)?.length ?? 0) : 0);
  const hostConfig = () => (existsSync(configFile()) ? readFileSync(configFile(), 'utf8') : undefined);

  it('reports without applying; a change under fleet/ wakes it; a broken file is an error cycle, not the end', async () => {
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('one'));
    const before = hostConfig();
    const w = startWatch(['--interval', '3600'], root);
    const first = await w.next(1);
    expectOutputSchema('watch', first);
    expect(first).toMatchObject({ cycle: 1, trigger: 'start', outcome: 'drift' });
    writeFileSync(join(root, 'fleet', 'agent.yaml'), `${agent('one')}  broken: [\n`);
    const broken = await w.next(2);
    expect(broken).toMatchObject({ trigger: 'change', outcome: 'error' });
    expect(broken.error!.diagnostics[0]!.pos!.file).toBe('fleet/agent.yaml');
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('two'));
    expect(await w.next(3)).toMatchObject({ trigger: 'change', outcome: 'drift' });
    expect(await w.stop()).toBe(0);
    expect(hostConfig()).toBe(before); // nothing was applied
  });

  it('with --apply converges, then heals drift made on the host at the next interval', async () => {
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('three'));
    const audited = applies();
    const w = startWatch(['--apply', '--interval', '2'], root);
    expect(await w.next(1)).toMatchObject({ trigger: 'start', outcome: 'applied' });
    expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
    const quiet = await w.next(2);
    expect(quiet).toMatchObject({ trigger: 'interval', outcome: 'in-sync' });
    // Someone edits the host by hand: the next cycle puts it back.
    const edited = JSON.parse(readFileSync(configFile(), 'utf8'));
    edited.gateway.bind = 'lan';
    writeFileSync(configFile(), JSON.stringify(edited));
    let healed: Cycle | undefined;
    for (let n = 3; n <= 6 && !healed; n++) {
      const c = await w.next(n);
      if (c.outcome === 'applied') healed = c;
    }
    expect(healed).toMatchObject({ trigger: 'interval', outcome: 'applied' });
    expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
    expect(await w.stop()).toBe(0);
    expect(applies()).toBe(audited + 2);
  });

  it('removes an agent that left the fleet only with --prune', async () => {
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('four'));
    const applied = await clawctl(['apply', '--auto-approve'], { cwd: root, env: { GITHUB_ACTIONS: '' } });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    rmSync(join(root, 'fleet', 'agent.yaml'));
    const keep = startWatch(['--apply', '--interval', '3600'], root);
    expect(await keep.next(1)).toMatchObject({ outcome: 'in-sync' });
    expect(await keep.stop()).toBe(0);
    expect(readFileSync(configFile(), 'utf8')).toContain('loopback');
    const prune = startWatch(['--apply', '--prune', '--interval', '3600'], root);
    const cycle = await prune.next(1);
    expect(cycle).toMatchObject({ outcome: 'applied' });
    expect(await prune.stop()).toBe(0);
    expect(() => readFileSync(configFile())).toThrow();
  });
});

/**
 * watch --apply against a real sshd host: each cycle observes the host afresh over SSH, puts
 * back an edit made there, reports the host down as an error cycle and goes on, and heals
 * once it is back.
 */
describe('clawctl watch --apply over SSH', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let host: SshHost;
  const configFile = () => join(host.home, '.openclaw', 'openclaw.json');
  /** Edit the agent's config on the host, as its user would. */
  const editOnHost = (bind: string) => {
    const edited = JSON.parse(readFileSync(configFile(), 'utf8'));
    edited.gateway.bind = bind;
    writeFileSync(configFile(), JSON.stringify(edited));
    chownSync(configFile(), host.uid, host.gid);
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-watch-ssh-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    host = await startSshHost('w1', root, client);
  });
  const claw: AgentDef = { name: 'claw', host: 'w1', port: 19500, env: { BANNER: 'one' } };
  const fleet = (agents: AgentDef[]) => writeFleet(repo, [host], agents, { identityFile: client.privateKeyPath });
  afterAll(async () => {
    await host?.remove();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Cycles from `from` on until one matches, up to `upTo`. */
  async function until(w: ReturnType<typeof startWatch>, from: number, upTo: number, outcome: string): Promise<{ cycle: Cycle; n: number }> {
    for (let n = from; n <= upTo; n++) {
      const c = await w.next(n);
      if (c.outcome === outcome) return { cycle: c, n };
    }
    throw new Error(`no ${outcome} cycle among cycles ${from}..${upTo}: ${JSON.stringify(w.seen().map((c) => [c.trigger, c.outcome]))}`);
  }

  it('converges, heals an edit made on the host, goes on through the host being down, and heals after', async () => {
    fleet([claw]);
    const audited = existsSync(join(repo, '.clawctl', 'audit.jsonl')) ? (readFileSync(join(repo, '.clawctl', 'audit.jsonl'), 'utf8').match(/"action":"apply"/g)?.length ?? 0) : 0;
    const w = startWatch(['--apply', '--interval', '2'], repo);
    let code: number | null;
    try {
      const first = await w.next(1);
      expectOutputSchema('watch', first);
      // Applied now, or already in sync if an earlier case applied this fleet.
      expect(first.trigger).toBe('start');
      expect(['applied', 'in-sync']).toContain(first.outcome);
      expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
      expect(await w.next(2)).toMatchObject({ trigger: 'interval', outcome: 'in-sync' });

      editOnHost('lan');
      const healed = await until(w, 3, 6, 'applied');
      expect(healed.cycle.trigger).toBe('interval');
      expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');

      await host.stop();
      editOnHost('lan');
      const down = await until(w, healed.n + 1, healed.n + 4, 'error');
      expect(JSON.stringify(down.cycle)).toContain('ECONNREFUSED');
      await host.start();
      const back = await until(w, down.n + 1, down.n + 5, 'applied');
      expect(back.cycle.trigger).toBe('interval');
      expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
    } finally {
      code = await w.stop();
    }
    expect(code, 'watch ends on Ctrl-C with exit 0').toBe(0);
    // One audited apply for each cycle that applied: the first (if it did), the heal, the heal after the outage.
    const audit = readFileSync(join(repo, '.clawctl', 'audit.jsonl'), 'utf8');
    expect(audit.match(/"action":"apply"/g)).toHaveLength(audited + w.seen().filter((c) => c.outcome === 'applied').length);
    expect(w.seen().filter((c) => c.outcome === 'applied').length).toBeGreaterThanOrEqual(2);
  });

  it('removes an agent that left the fleet from the host only with --prune', async () => {
    const gone: AgentDef = { name: 'gone', host: 'w1', profile: 'gone', port: 19501 };
    fleet([claw, gone]);
    const applied = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    fleet([claw]);
    const keep = startWatch(['--apply', '--interval', '3600'], repo);
    expect(await keep.next(1)).toMatchObject({ outcome: 'in-sync' });
    expect(await keep.stop()).toBe(0);
    expect(existsSync(join(host.home, '.openclaw-gone', 'openclaw.json'))).toBe(true);
    const prune = startWatch(['--apply', '--prune', '--interval', '3600'], repo);
    expect(await prune.next(1)).toMatchObject({ outcome: 'applied' });
    expect(await prune.stop()).toBe(0);
    expect(existsSync(join(host.home, '.openclaw-gone'))).toBe(false);
    expect(readdirSync(host.home).filter((d) => d.startsWith('.openclaw-gone.clawctl-removed-'))).toHaveLength(1);
    expect(existsSync(join(host.home, '.openclaw', 'openclaw.json')), 'the agent still in the fleet stays').toBe(true);
  });
});
