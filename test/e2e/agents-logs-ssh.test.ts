import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clawctl, startClawctl, type RunningClawctl } from '../harness/cli.js';
import { writeFleet } from '../harness/fleet.js';
import { eventually } from '../harness/gateway-lock.js';
import { openclawLogDir } from '../harness/openclaw.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

const TOKEN = 'tg-5d6e7f8a9b0c-secret-in-the-ssh-log';

/**
 * `agents logs` on a real sshd host: OpenClaw's file log read over SSH and redacted, and
 * `--follow`, whose reader on the host (`tail --pid`) must end when the client stops, whether
 * it is interrupted or killed.
 */
describe('agents logs over SSH', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let host: SshHost;
  let logFile: string;
  const profile = `follow${process.pid}`;
  const run = (...args: string[]) => clawctl(args, { cwd: repo });
  const line = (n: number, level: string, msg: string) => JSON.stringify({ 0: msg, _meta: { logLevelName: level, date: `2026-11-25T09:00:0${n}.000Z` }, time: `2026-11-25T09:00:0${n}.000Z` });

  /** The host user's processes whose command is `name` (pgrep -x), as pids. */
  const processes = (name: string): number[] => {
    try {
      return execFileSync('pgrep', ['-u', host.user, '-x', name]).toString().trim().split('\n').map(Number);
    } catch {
      return [];
    }
  };
  const psOfUser = () => {
    try {
      return execFileSync('ps', ['-o', 'pid,args', '-u', host.user]).toString();
    } catch {
      return '(none)';
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-logs-ssh-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    host = await startSshHost('l1', root, client);
    writeFleet(repo, [host], [{ name: 'claw', host: 'l1', profile, port: 19400 }], { identityFile: client.privateKeyPath });
    // What the host holds: the agent's .env with a token, and OpenClaw's log that echoes it,
    // in the user's own log dir (/tmp/openclaw is not theirs).
    const state = join(host.home, `.openclaw-${profile}`);
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\n`, { mode: 0o600 });
    const logs = openclawLogDir(host);
    mkdirSync(logs, { recursive: true, mode: 0o700 });
    logFile = join(logs, `openclaw-${profile}-2026-11-25.log`);
    writeFileSync(logFile, `${[line(1, 'INFO', 'gateway listening'), line(2, 'ERROR', `telegram: 401 for token ${TOKEN}`), line(3, 'WARN', 'retrying')].join('\n')}\n`);
    for (const p of [state, join(state, '.env'), logs, logFile]) chownSync(p, host.uid, host.gid);
  });

  // A reader an earlier case left behind is that case's failure, not this one's.
  beforeEach(async () => {
    if (processes('tail').length === 0) return;
    execFileSync('pkill', ['-KILL', '-u', host.user, '-x', 'tail']);
    await eventually(() => processes('tail').length === 0, 10);
  });

  afterAll(async () => {
    await host?.remove();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("reads OpenClaw's log on the host as [time] LEVEL text, the host's .env values redacted", async () => {
    const res = await run('agents', 'logs', 'claw', '-n', '2');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^\[2026-11-25T09:00:02\.000Z\] ERROR telegram: 401 for token \(sensitive, sha256:[0-9a-f]{8}\)\n\[2026-11-25T09:00:03\.000Z\] WARN retrying\n$/);
    const json = await run('agents', 'logs', 'claw', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ agent: 'claw', host: 'l1', source: { kind: 'file', where: logFile } });
    expect(res.stdout + json.stdout + json.stderr).not.toContain(TOKEN);
  });

  /** The follower's end, within 30 s of `what`; else it is killed and the case fails saying so. */
  async function exited(logs: RunningClawctl, what: string) {
    const timer = setTimeout(() => logs.child.kill('SIGKILL'), 30_000);
    const end = await logs.done;
    clearTimeout(timer);
    if (end.signal === 'SIGKILL' && what !== 'SIGKILL') throw new Error(`agents logs --follow still ran 30 s after ${what}; on the host:\n${psOfUser()}`);
    return end;
  }

  let appended = 0;
  /** Follow the log until its reader runs on the host and a new line has come through, redacted. */
  async function following(): Promise<{ logs: RunningClawctl; tails: number[] }> {
    expect(processes('tail'), `no reader on the host before following:\n${psOfUser()}`).toEqual([]);
    const logs = startClawctl(['agents', 'logs', 'claw', '-n', '1', '--follow'], { cwd: repo });
    expect(await eventually(() => /^\[.*\n/.test(logs.stdout()), 30), `the last line, followed: ${logs.stdout()}${logs.stderr()}`).toBe(true);
    const tails = processes('tail');
    expect(tails, `the reader on the host:\n${psOfUser()}`).toHaveLength(1);
    const n = ++appended;
    appendFileSync(logFile, `${line(4, 'INFO', `reconnected #${n} with ${TOKEN}`)}\n`);
    expect(await eventually(() => logs.stdout().includes(`INFO reconnected #${n} with (sensitive`), 30), `a new line, followed: ${logs.stdout()}`).toBe(true);
    expect(logs.stdout()).not.toContain(TOKEN);
    return { logs, tails };
  }

  it('follows new lines until interrupted; then the reader on the host is gone', async () => {
    const { logs, tails } = await following();
    logs.child.kill('SIGINT');
    const end = await exited(logs, 'Ctrl-C');
    // Ctrl-C ends a follow cleanly (soft, so the host's side is checked whatever it says).
    expect.soft(end.code, `exit code after Ctrl-C; stderr: ${end.stderr}`).toBe(0);
    expect.soft(end.stderr).toBe('');
    expect(await eventually(() => processes('tail').length === 0, 30), `tail ${tails.join(', ')} still runs on the host after the client stopped:\n${psOfUser()}`).toBe(true);
    expect(await eventually(() => processes('sshd').length === 0, 30), `an SSH session of the client is left on the host:\n${psOfUser()}`).toBe(true);
  });

  it('a follower that is killed outright leaves no reader on the host either', async () => {
    const { logs, tails } = await following();
    logs.child.kill('SIGKILL');
    expect((await exited(logs, 'SIGKILL')).signal).toBe('SIGKILL');
    expect(await eventually(() => processes('tail').length === 0, 30), `tail ${tails.join(', ')} still runs on the host after the client was killed:\n${psOfUser()}`).toBe(true);
  });
});
