import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostVerdict, formatIssues } from '../../src/apply/config-rejection.js';
import { graceSeconds, installFilesArgv, restartArgv, restartNotes, waitReadyArgv } from '../../src/apply/host-scripts.js';
import { programName } from '../../src/connection/connection.js';

const SCRIPTS = fileURLToPath(new URL('../../host-scripts/', import.meta.url));

describe('host scripts', () => {
  it('every script passes shellcheck', () => {
    const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.sh'));
    expect(files).toContain('restart.sh');
    let out = '';
    try {
      execFileSync('shellcheck', ['--shell=sh', '--external-sources', ...files], { cwd: SCRIPTS, stdio: 'pipe' });
    } catch (err) {
      const e = err as { code?: string; stdout?: Buffer };
      out = e.code === 'ENOENT' ? 'shellcheck is not installed (apt-get install shellcheck)' : (e.stdout?.toString() ?? String(err));
    }
    expect(out).toBe('');
  });

  it('a timeout names the script, past the bound and the agent lock around it', () => {
    expect(programName(restartArgv({ service: 'process', unit: 'openclaw-gateway.service', stateDir: '.openclaw', profile: undefined, port: 18789, mode: 'fresh', limitSeconds: 60 }))).toBe(
      'clawctl-restart',
    );
    expect(programName(installFilesArgv('.openclaw', 'fleet=f agent=a', ['openclaw.json']))).toBe('clawctl-install');
    expect(programName(waitReadyArgv(18789, 30))).toBe('clawctl-wait-ready');
    expect(programName(['uname', '-m'])).toBe('uname');
  });

  it('grace leaves most of the bound to the stop and start, and is never under 3 s', () => {
    expect([5, 45, 60, 300].map(graceSeconds)).toEqual([3, 15, 20, 30]);
  });

  it('reads what restart.sh did from its lines, and what it had to force', () => {
    const stdout =
      'Gateway restart request sent\nclawctl-forced: openclaw gateway restart did not finish within 30 s\nclawctl: sent SIGTERM to gateway pid 42\nclawctl-forced: gateway pid 42 was still stopping 15 s after SIGTERM; sent SIGKILL\nclawctl: started a new gateway process, pid 43\n';
    expect(restartNotes(stdout)).toEqual({
      notes: [
        'openclaw gateway restart did not finish within 30 s',
        'sent SIGTERM to gateway pid 42',
        'gateway pid 42 was still stopping 15 s after SIGTERM; sent SIGKILL',
        'started a new gateway process, pid 43',
      ],
      forced: ['openclaw gateway restart did not finish within 30 s', 'gateway pid 42 was still stopping 15 s after SIGTERM; sent SIGKILL'],
    });
  });
});

/** gateway-lock.sh against real processes and a lock file shaped as OpenClaw 2026.9.6 writes it. */
describe('gateway-lock.sh', () => {
  let root: string;
  const lib = readFileSync(join(SCRIPTS, 'gateway-lock.sh'), 'utf8');
  const sh = (body: string) => execFileSync('sh', ['-c', `${lib}\n${body}`, 'test', join(root, 'state')], { encoding: 'utf8' });
  const startTime = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  const writeLock = (pid: number, start: number | undefined) => {
    const dir = join(root, 'state', 'tmp', `openclaw-${process.getuid!()}`);
    mkdirSync(dir, { recursive: true });
    const payload = {
      pid,
      ownerId: 'a1b2',
      cronOwnerProjection: 'dynamic-default-v1',
      createdAt: '2026-12-01T18:29:32.890Z',
      configPath: '/x/openclaw.json',
      stateDir: '/x',
      port: 18789,
      ...(start === undefined ? {} : { startTime: start }),
    };
    // OpenClaw's sidecar lock: the JSON, then a line of tabs and spaces (its ownership token).
    writeFileSync(join(dir, 'gateway.state.lock'), `${JSON.stringify(payload, null, 2)}\n\t \t\t  \t\n`);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-lock-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names the live holder: pid, start time, when it took the lock', () => {
    writeLock(process.pid, startTime(process.pid));
    expect(sh('gateway_lock "$1"')).toBe(`${process.pid} ${startTime(process.pid)} 2026-12-01T18:29:32.890Z\n`);
    writeLock(process.pid, undefined);
    expect(sh('gateway_lock "$1"')).toBe(`${process.pid} - 2026-12-01T18:29:32.890Z\n`);
  });

  it('names nobody for a dead pid, a reused pid (another start time), or no lock', () => {
    writeLock(process.pid, startTime(process.pid) + 1);
    expect(sh('gateway_lock "$1"')).toBe('');
    const dead = spawn('true');
    return new Promise<void>((resolve) => {
      dead.once('exit', () => {
        writeLock(dead.pid!, undefined);
        expect(sh('gateway_lock "$1"')).toBe('');
        rmSync(join(root, 'state', 'tmp'), { recursive: true });
        expect(sh('gateway_lock "$1"')).toBe('');
        resolve();
      });
    });
  });

  it('falls back to the gateway restart.sh started (its pid file), while that very process runs', () => {
    rmSync(join(root, 'state', 'tmp'), { recursive: true, force: true });
    const pidFile = join(root, 'state', 'clawctl-gateway.pid');
    const me = `${process.pid} ${startTime(process.pid)}`;
    writeFileSync(pidFile, `${me}\n`);
    expect(sh('gateway_pid "$1"')).toBe(`${me} -\n`);
    // Another process now has that pid; a pid file from before start times were kept; a link.
    writeFileSync(pidFile, `${process.pid} ${startTime(process.pid) + 1}\n`);
    expect(sh('gateway_pid "$1"')).toBe('');
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(sh('gateway_pid "$1"')).toBe('');
    rmSync(pidFile);
    writeFileSync(join(root, 'elsewhere.pid'), `${me}\n`);
    symlinkSync(join(root, 'elsewhere.pid'), pidFile);
    expect(sh('gateway_pid "$1"')).toBe('');
    // The lock's holder comes first.
    writeLock(process.pid, undefined);
    expect(sh('gateway_pid "$1"')).toBe(`${process.pid} - 2026-12-01T18:29:32.890Z\n`);
    rmSync(pidFile);
  });

  it('restart.sh leaves its mark only when it is cut off part-way, not when it ends', async () => {
    const restart = ['refuse-links.sh', 'gateway-lock.sh', 'restart.sh'].map((f) => readFileSync(join(SCRIPTS, f), 'utf8')).join('\n');
    const mark = join(root, 'state', '.clawctl-restarting');
    const run = () =>
      spawn('sh', ['-c', restart, 'clawctl-restart', 'process', 'openclaw-gateway.service', 'state', '', '1', 'fresh', '60', '30'], {
        env: { PATH: '/usr/bin:/bin', HOME: root },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    // A gateway that takes long to stop: restart.sh is killed while it waits on it.
    const stubborn = spawn('sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => stubborn.stdout!.once('data', resolve));
    writeLock(stubborn.pid!, startTime(stubborn.pid!));
    const cut = run();
    await new Promise((resolve) => cut.stdout!.once('data', resolve)); // "sent SIGTERM": the gateway is stopping
    process.kill(-cut.pid!, 'SIGKILL');
    await new Promise((resolve) => cut.once('close', resolve));
    expect(readdirSync(join(root, 'state'))).toContain('.clawctl-restarting');
    stubborn.kill('SIGKILL');
    await new Promise((resolve) => stubborn.once('close', resolve));
    // Run to its end (no OpenClaw here: the gateway it starts exits at once; the script is done).
    const whole = run();
    expect(await new Promise((resolve) => whole.once('close', resolve))).toBe(0);
    expect(readdirSync(join(root, 'state'))).not.toContain('.clawctl-restarting');
    expect(() => readFileSync(mark)).toThrow();
  });

  it('stops a process that ignores SIGTERM with SIGKILL after the grace', async () => {
    const stubborn = spawn('sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => stubborn.once('exit', (_c, signal) => resolve(signal)));
    await new Promise((resolve) => stubborn.stdout!.once('data', resolve)); // the trap is set
    const out = sh(`stop_gateway ${stubborn.pid} ${startTime(stubborn.pid!)} 1; echo "rc=$?"`);
    expect(out).toBe(`clawctl: sent SIGTERM to gateway pid ${stubborn.pid}\nclawctl-forced: gateway pid ${stubborn.pid} was still stopping 1 s after SIGTERM; sent SIGKILL\nrc=0\n`);
    expect(await exited).toBe('SIGKILL');
  });
});

/**
 * agent-lock.sh with real flock(1): a script of a clawctl that was killed goes on until its next
 * line of output, so the next change of the same agent waits for it instead of racing it.
 */
describe('agent-lock.sh', () => {
  let home: string;
  const script = readFileSync(join(SCRIPTS, 'agent-lock.sh'), 'utf8');
  const locked = (dir: string, wait: number, ...argv: string[]) => spawn('sh', ['-c', script, 'clawctl-agent-lock', dir, String(wait), ...argv], { env: { ...process.env, HOME: home } });
  const done = (child: ReturnType<typeof spawn>) =>
    new Promise<{ code: number | null; out: string; err: string; at: number }>((resolve) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      child.once('close', (code) => resolve({ code, out, err, at: Date.now() }));
    });
  const started = (child: ReturnType<typeof spawn>) => new Promise((resolve) => child.stdout!.once('data', resolve));

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'clawctl-agent-lock-'));
    mkdirSync(join(home, '.openclaw'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs a second change of the agent only once the first has ended', async () => {
    const first = locked('.openclaw', 5, 'sh', '-c', 'echo holding; sleep 1; echo first');
    const firstDone = done(first);
    await started(first);
    const second = await done(locked('.openclaw', 5, 'echo', 'second'));
    const firstEnd = await firstDone;
    expect(second).toMatchObject({ code: 0, out: 'second\n' });
    expect(second.at).toBeGreaterThanOrEqual(firstEnd.at);
  });

  it('gives up after its wait with exit 75, saying why, and runs nothing', async () => {
    const first = locked('.openclaw', 5, 'sh', '-c', 'echo holding; sleep 3');
    const firstDone = done(first);
    await started(first);
    const second = await done(locked('.openclaw', 1, 'touch', join(home, 'ran')));
    expect(second.code).toBe(75);
    expect(second.err).toContain('clawctl: another clawctl command was still changing $HOME/.openclaw after 1 s');
    expect(readdirSync(home)).toEqual(['.openclaw']);
    await firstDone;
  });

  it('is not kept by a process the command leaves running (a gateway it starts)', async () => {
    const gateway = await done(locked('.openclaw', 5, 'sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $!'));
    try {
      expect(await done(locked('.openclaw', 1, 'echo', 'next'))).toMatchObject({ code: 0, out: 'next\n' });
    } finally {
      process.kill(Number(gateway.out.trim()));
    }
  });

  it('runs unlocked where there is no state dir yet, or a link in its place, and creates nothing', async () => {
    symlinkSync(join(home, 'elsewhere'), join(home, '.openclaw-linked'));
    for (const dir of ['.openclaw-new', '.openclaw-linked']) {
      const holder = locked('.openclaw', 5, 'sh', '-c', 'echo holding; sleep 2');
      const held = done(holder);
      await started(holder);
      expect(await done(locked(dir, 1, 'echo', 'ran'))).toMatchObject({ code: 0, out: 'ran\n' });
      await held;
    }
    expect(readdirSync(home).sort()).toEqual(['.openclaw', '.openclaw-linked']);
  });
});

describe("the host's verdict on a candidate openclaw.json", () => {
  it('carries every issue of `openclaw config validate --json`, whole', () => {
    // As OpenClaw 2026.9.6 prints it: pretty JSON on stdout.
    const stdout = JSON.stringify(
      {
        ok: false,
        error: { type: 'cli_error', message: 'OpenClaw config is invalid: ~/.openclaw/openclaw.json' },
        valid: false,
        path: '/home/claw/.openclaw/openclaw.json',
        issues: [
          { path: '<root>', message: 'Unrecognized key: "telemetryMode"' },
          { path: 'bindings.0.agentId', message: 'Unknown agent id "ghost" (not in agents.entries).' },
        ],
      },
      null,
      2,
    );
    const verdict = parseHostVerdict(stdout, 'a warning on stderr\n');
    expect(verdict).toEqual({
      valid: false,
      issues: [
        { path: '<root>', message: 'Unrecognized key: "telemetryMode"' },
        { path: 'bindings.0.agentId', message: 'Unknown agent id "ghost" (not in agents.entries).' },
      ],
    });
    expect(formatIssues(verdict.issues, '  ')).toBe('  - <root>: Unrecognized key: "telemetryMode"\n  - bindings.0.agentId: Unknown agent id "ghost" (not in agents.entries).');
  });

  it('keeps an answer that is no verdict whole, stdout and stderr', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
    expect(parseHostVerdict('', `${lines}\n`)).toEqual({ valid: false, issues: [{ path: '', message: lines }] });
    expect(parseHostVerdict('{"ok":false,"valid":false,"error":{"message":"cannot read config"}}')).toEqual({ valid: false, issues: [{ path: '<root>', message: 'cannot read config' }] });
  });
});
