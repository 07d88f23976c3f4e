import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostScript } from '../../src/openclaw/host-script.js';
import { clawctl, startClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { type ClientKey, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

/** What the hosts hold, looked at while an apply runs: the events a kill is timed by. */
interface Snapshot {
  /** The fleet lock names this process. */
  locked: boolean;
  /** Agents whose openclaw.json was replaced since the apply started. */
  installed: number;
  /** Per host, agents whose previous openclaw.json was kept as openclaw.json.clawctl-prev since the apply started. */
  prevKept: Record<string, number>;
  /** A staged `.clawctl-new.*` file exists. */
  staged: boolean;
  /** install.sh runs on a host (it is reading the new files from stdin, or installing them). */
  installing: boolean;
}

interface KillPoint {
  name: string;
  when: (s: Snapshot) => boolean;
}

/**
 * SIGKILL an apply at moments chosen by what it has done on the hosts, not by the clock: every
 * file is old or new, never partial; a kill mid-rollout leaves some agents new and others old;
 * the killed apply's lock is refused as stale, naming it, until `clawctl unlock` clears it; and
 * the next apply converges.
 */
describe('an apply killed mid-way', () => {
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let hosts: SshHost[];
  /** The generation every agent was last converged to. */
  let converged = 0;
  const names = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'];
  const hostOf = (name: string) => hosts[names.indexOf(name) < 3 ? 0 : 1]!;
  const dirOf = (name: string) => join(hostOf(name).home, `.openclaw-${name}`);
  // Large files: the host reads each one from stdin for a while, a window a kill can land in.
  // Each file says its own generation and size, so a cut one cannot pass for whole.
  const SIZE = 60_000;
  const blob = (gen: number, size: number) => `${gen % 10}`.repeat(size);
  const agents = (gen: number, envGen: number, size: number): AgentDef[] =>
    names.map((name, i) => ({
      name,
      host: i < 3 ? 'h1' : 'h2',
      profile: name,
      port: 19100 + i,
      config: { generation: gen, size, blob: blob(gen, size) },
      env: { BANNER: `gen-${envGen}-${SIZE}-${blob(envGen, SIZE)}` },
    }));
  const fleet = (gen: number, opts: { envGen?: number; size?: number } = {}) => writeFleet(repo, hosts, agents(gen, opts.envGen ?? gen, opts.size ?? SIZE), { identityFile: client.privateKeyPath });
  const lockFile = () => join(repo, '.clawctl', 'lock');

  beforeAll(async () => {
    lab = await startSshLab('kill', ['h1', 'h2']);
    ({ repo, client } = lab);
    hosts = lab.hosts;
  });

  afterAll(async () => {
    await lab?.remove();
  });

  // Each case starts from a fleet converged at one generation, whatever a case before it left.
  beforeEach(async () => {
    rmSync(lockFile(), { force: true });
    fleet(converged);
    const res = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(generations()).toEqual(names.map(() => ({ config: converged, env: converged })));
  });

  /** Each agent's files as generations; a partial file fails here, naming itself. */
  function generations(): { config: number; env: number }[] {
    return names.map((name) => {
      const config = join(dirOf(name), 'openclaw.json');
      const configText = readFileSync(config, 'utf8');
      let parsed: { generation: number; size: number; blob: string };
      try {
        parsed = JSON.parse(configText);
      } catch {
        throw new Error(`${config} is partial: ${configText.length} bytes that are not JSON, ending ${JSON.stringify(configText.slice(-40))}`);
      }
      expect(parsed.blob === blob(parsed.generation, parsed.size), `${config} holds generation ${parsed.generation} whole`).toBe(true);
      const env = join(dirOf(name), '.env');
      const token = parseDotenv(readFileSync(env, 'utf8')).BANNER;
      expect(token, `${env} is partial: no BANNER (${statSync(env).size} bytes)`).toBeDefined();
      const [, gen, size] = token!.split('-').map(Number);
      expect(token === `gen-${gen}-${size}-${blob(gen!, size!)}`, `${env} is partial: ${token!.length} characters of BANNER`).toBe(true);
      return { config: parsed.generation, env: gen! };
    });
  }

  const ino = (path: string) => {
    try {
      return statSync(path).ino;
    } catch {
      return 0;
    }
  };

  /** Whether a process of one of the hosts' users runs install.sh. */
  function installRunning(): boolean {
    const uids = new Set(hosts.map((h) => h.uid));
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!uids.has(statSync(`/proc/${pid}`).uid)) continue;
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('clawctl-install')) return true;
      } catch {
        // gone meanwhile
      }
    }
    return false;
  }

  /** A function that says what the hosts hold now, relative to when it was made. */
  function observer(pid: () => number | undefined): () => Snapshot {
    const live = Object.fromEntries(names.map((n) => [n, ino(join(dirOf(n), 'openclaw.json'))]));
    const prev = Object.fromEntries(names.map((n) => [n, ino(join(dirOf(n), 'openclaw.json.clawctl-prev'))]));
    return () => {
      let locked = false;
      try {
        locked = JSON.parse(readFileSync(lockFile(), 'utf8')).pid === pid();
      } catch {
        // not there yet, or being written
      }
      const prevKept: Record<string, number> = {};
      for (const n of names) {
        const host = hostOf(n).name;
        prevKept[host] = (prevKept[host] ?? 0) + (ino(join(dirOf(n), 'openclaw.json.clawctl-prev')) !== prev[n] ? 1 : 0);
      }
      return {
        locked,
        installed: names.filter((n) => ino(join(dirOf(n), 'openclaw.json')) !== live[n]).length,
        prevKept,
        staged: names.some((n) => readdirSync(dirOf(n)).some((f) => f.startsWith('.clawctl-new.'))),
        installing: installRunning(),
      };
    };
  }

  const userBusy = (h: SshHost) => {
    try {
      execFileSync('pgrep', ['-u', h.user], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  /** Wait until nothing runs as the hosts' users: what a killed apply started there has finished. */
  async function hostsQuiet(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (hosts.some(userBusy)) {
      if (Date.now() > deadline)
        throw new Error(`processes still run on the test hosts 30 s after the apply was killed: ${execFileSync('ps', ['-o', 'user,pid,args', '-u', hosts.map((h) => h.user).join(',')]).toString()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Start an apply of generation `gen`, SIGKILL it as soon as `point` holds on the hosts, and
   * wait until the hosts are quiet. Fails, saying so, if the apply ends before the point.
   */
  async function applyKilledAt(point: KillPoint): Promise<{ pid: number; at: Snapshot }> {
    let pid: number | undefined;
    const look = observer(() => pid);
    const apply = startClawctl(['apply', '--auto-approve'], { cwd: repo });
    pid = apply.child.pid!;
    let exited = false;
    void apply.done.then(() => (exited = true));
    let at: Snapshot | undefined;
    while (!exited) {
      const s = look();
      if (point.when(s)) {
        apply.child.kill('SIGKILL');
        at = s;
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const end = await apply.done;
    if (!at) throw new Error(`the apply ended (exit ${end.code}) before the kill point "${point.name}": ${end.stdout}${end.stderr}`);
    expect(end.signal, `apply killed at "${point.name}"`).toBe('SIGKILL');
    await hostsQuiet();
    return { pid, at };
  }

  /**
   * After an apply was SIGKILLed: its lock is refused, naming it as a stale holder; nothing is
   * changed by the refused apply; `clawctl unlock` clears it; then an apply converges.
   */
  async function staleLockRefusedThenConverges(pid: number, gen: number): Promise<void> {
    const holder = `held by ${userInfo().username} on ${hostname()} (pid ${pid}, \`clawctl apply --auto-approve\`)`;
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid, command: 'clawctl apply --auto-approve' });
    const before = generations();
    const refused = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`the fleet is locked: ${holder}`);
    expect(refused.stderr).toContain(`the holder's process (pid ${pid}) no longer runs on this machine: the lock is stale; run \`clawctl unlock\``);
    expect(generations()).toEqual(before);

    const unlock = await clawctl(['unlock'], { cwd: repo });
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain(`Removed the lock ${holder}`);
    expect(existsSync(lockFile())).toBe(false);

    const done = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(generations()).toEqual(names.map(() => ({ config: gen, env: gen })));
    expect((await clawctl(['plan', '--detailed-exitcode'], { cwd: repo })).code).toBe(0);
    converged = gen;
  }

  it('at each point of the rollout: files old or new, some agents new and others old, the stale lock refused and cleared, then converged', async () => {
    const points: KillPoint[] = [
      { name: 'the lock is taken', when: (s) => s.locked },
      { name: "the first agent's openclaw.json.clawctl-prev is kept", when: (s) => Object.values(s.prevKept).some((n) => n > 0) },
      { name: 'one agent is installed', when: (s) => s.installed >= 1 },
      { name: 'three agents are installed', when: (s) => s.installed >= 3 },
      { name: 'the second host keeps its first openclaw.json.clawctl-prev', when: (s) => (s.prevKept.h2 ?? 0) > 0 },
      { name: 'five agents are installed', when: (s) => s.installed >= 5 },
    ];
    const outcomes: { point: string; newAgents: number }[] = [];
    for (const point of points) {
      const old = converged;
      const gen = old + 1;
      fleet(gen);
      const { pid } = await applyKilledAt(point);
      const seen = generations();
      for (const [i, g] of seen.entries()) {
        expect([old, gen], `${names[i]} after a kill when ${point.name}`).toContain(g.config);
        expect([old, gen], `${names[i]} after a kill when ${point.name}`).toContain(g.env);
      }
      outcomes.push({ point: point.name, newAgents: seen.filter((g) => g.config === gen).length });
      await staleLockRefusedThenConverges(pid, gen);
    }
    // Planning comes before any write: a kill at the lock leaves every host as it was.
    expect(outcomes[0]).toEqual({ point: 'the lock is taken', newAgents: 0 });
    // The kills landed inside the rollout, not only before or after it.
    expect(
      outcomes.filter((o) => o.newAgents > 0 && o.newAgents < names.length),
      JSON.stringify(outcomes),
    ).not.toHaveLength(0);
  });

  it('waits for a script a killed clawctl left changing an agent; past the wait, changes nothing and says why', async () => {
    // What a killed apply can leave: a host script that goes on until its next line of output,
    // holding the agent's lock as every script that changes an agent does (agent-lock.sh; run
    // here as root with the host user's HOME, which flock does not mind).
    const marks = mkdtempSync(join(tmpdir(), 'clawctl-orphan-'));
    const a1 = join(dirOf('a1'), 'openclaw.json');
    const leftRunning = (seconds: number) => {
      const child = spawn('sh', ['-c', hostScript('agent-lock.sh'), 'clawctl-agent-lock', '.openclaw-a1', '1', 'sh', '-c', `echo held; sleep ${seconds}; touch "$1"`, 'orphan', join(marks, 'ended')], {
        env: { ...process.env, HOME: hostOf('a1').home },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const ended = new Promise((resolve) => child.once('exit', resolve));
      return { child, ended, held: new Promise((resolve) => child.stdout!.once('data', resolve)) };
    };
    try {
      // Ends while the apply waits on it: a1 is installed after it, not beside it.
      const short = leftRunning(8);
      await short.held;
      fleet(converged + 1);
      const waited = await clawctl(['apply', '--auto-approve'], { cwd: repo });
      expect(waited.code, waited.stdout + waited.stderr).toBe(0);
      await short.ended;
      expect(statSync(a1).mtimeMs).toBeGreaterThanOrEqual(statSync(join(marks, 'ended')).mtimeMs);
      converged += 1;

      // Still running after the 30 s an agent's change waits: a1 is left as it was, named.
      const long = leftRunning(600);
      await long.held;
      fleet(converged + 1);
      const refused = await clawctl(['apply', '--auto-approve'], { cwd: repo });
      long.child.kill();
      await long.ended;
      expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain('another clawctl command was still changing $HOME/.openclaw-a1 after 30 s');
      expect(generations()[names.indexOf('a1')]).toEqual({ config: converged, env: converged });
      const done = await clawctl(['apply', '--auto-approve'], { cwd: repo });
      expect(done.code, done.stdout + done.stderr).toBe(0);
      converged += 1;
      expect(generations()).toEqual(names.map(() => ({ config: converged, env: converged })));
    } finally {
      rmSync(marks, { recursive: true, force: true });
    }
  });

  it('while a host reads the new files from the apply: every file old or new, never a truncated one', async () => {
    // install.sh reads the files' contents from its stdin; a kill then cuts that stream short.
    // A large openclaw.json (≈400 kB of base64) keeps the host reading for a while.
    const BIG = 300_000;
    const points: (KillPoint & { envChanges: boolean })[] = [
      { name: 'install.sh starts (openclaw.json alone changes)', envChanges: false, when: (s) => s.installing },
      { name: 'install.sh starts (openclaw.json alone changes), again', envChanges: false, when: (s) => s.installing },
      { name: 'install.sh starts (openclaw.json and .env change)', envChanges: true, when: (s) => s.installing },
      { name: 'install.sh starts (openclaw.json and .env change), again', envChanges: true, when: (s) => s.installing },
      { name: 'the first file is staged (openclaw.json and .env change)', envChanges: true, when: (s) => s.staged },
    ];
    for (const point of points) {
      const old = converged;
      const gen = old + 1;
      fleet(gen, { envGen: point.envChanges ? gen : old, size: BIG });
      const { pid } = await applyKilledAt(point);
      for (const [i, g] of generations().entries()) {
        expect([old, gen], `${names[i]}'s openclaw.json after a kill when ${point.name}`).toContain(g.config);
        expect([old, gen], `${names[i]}'s .env after a kill when ${point.name}`).toContain(g.env);
      }
      fleet(gen);
      await staleLockRefusedThenConverges(pid, gen);
    }
  });
});
