import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostVerdict, formatIssues } from '../../src/apply/config-rejection.js';
import { graceSeconds, restartNotes } from '../../src/apply/host-scripts.js';

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

  it('stops a process that ignores SIGTERM with SIGKILL after the grace', async () => {
    const stubborn = spawn('sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => stubborn.once('exit', (_c, signal) => resolve(signal)));
    await new Promise((resolve) => stubborn.stdout!.once('data', resolve)); // the trap is set
    const out = sh(`stop_gateway ${stubborn.pid} ${startTime(stubborn.pid!)} 1; echo "rc=$?"`);
    expect(out).toBe(`clawctl: sent SIGTERM to gateway pid ${stubborn.pid}\nclawctl-forced: gateway pid ${stubborn.pid} was still stopping 1 s after SIGTERM; sent SIGKILL\nrc=0\n`);
    expect(await exited).toBe('SIGKILL');
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
