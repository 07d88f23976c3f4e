import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { LOCAL_FLEET } from '../harness/local-fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { freePort } from '../harness/sshd.js';

const TOKEN = 'tg-9ab1c2d3e4f5-secret-in-the-log';

/**
 * agents logs and agents restart on a local-connection host: OpenClaw's JSON file log read,
 * parsed and redacted; a restart through the service, gated on /readyz, audited. The real
 * gateway test reads a real gateway's log.
 */
describe('agents logs and agents restart', () => {
  let root: string;
  let home: string;
  let port: number;
  let readyz = 200;
  let server: Server;
  const profile = `logs${process.pid}`;
  const logDir = '/tmp/openclaw';
  const logFile = join(logDir, `openclaw-${profile}-2026-11-25.log`);
  const run = (...args: string[]) => clawctl(args, { cwd: root, env: { GITHUB_ACTIONS: '' } });
  const hostDoc = (service: string) => `apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h}\nspec: {local: {home: ../home}, service: ${service}}\n`;
  const writeFleetFiles = (service: string) =>
    writeFileSync(
      join(root, 'fleet', 'fleet.yaml'),
      `${LOCAL_FLEET('logs')}\n---\n${hostDoc(service)}---\napiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: claw}\nspec:\n  host: h\n  openclaw: {profile: ${profile}, config: {gateway: {port: ${port}}}}\n`,
    );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-logs-'));
    home = join(root, 'home');
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    port = await freePort();
    server = createServer((req, res) => {
      res.statusCode = req.url === '/readyz' ? readyz : 404;
      res.end(JSON.stringify({ ready: readyz === 200 }));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    writeFleetFiles('process');
    // What the host holds: the agent's .env with a token, and a gateway log that echoes it.
    mkdirSync(join(home, `.openclaw-${profile}`), { recursive: true });
    writeFileSync(join(home, `.openclaw-${profile}`, '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\n`, { mode: 0o600 });
    mkdirSync(logDir, { recursive: true });
    const line = (n: number, level: string, msg: string) => JSON.stringify({ 0: msg, _meta: { logLevelName: level, date: `2026-11-25T08:00:0${n}.000Z` }, time: `2026-11-25T08:00:0${n}.000Z` });
    writeFileSync(logFile, `${[line(1, 'INFO', 'gateway listening'), line(2, 'ERROR', `telegram: 401 for token ${TOKEN}`), line(3, 'WARN', 'retrying')].join('\n')}\n`);
    // A stand-in `openclaw` for the process service: `gateway restart` logs that it ran.
    mkdirSync(join(home, '.local', 'bin'), { recursive: true });
    writeFileSync(join(home, '.local', 'bin', 'openclaw'), `#!/bin/sh\necho "$@ state=$OPENCLAW_STATE_DIR" >> "$HOME/restarts"\n`);
    chmodSync(join(home, '.local', 'bin', 'openclaw'), 0o755);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(logFile, { force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it("reads OpenClaw's file log as [time] LEVEL text, the host's .env values redacted", async () => {
    const res = await run('agents', 'logs', 'claw', '-n', '2');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^\[2026-11-25T08:00:02\.000Z\] ERROR telegram: 401 for token \(sensitive, sha256:[0-9a-f]{8}\)\n\[2026-11-25T08:00:03\.000Z\] WARN retrying\n$/);
    const json = await run('agents', 'logs', 'claw', '--json');
    expectOutputSchema('agents logs', JSON.parse(json.stdout));
    expect(JSON.parse(json.stdout)).toMatchObject({ agent: 'claw', host: 'h', source: { kind: 'file', where: logFile } });
    expect(JSON.parse(json.stdout).lines).toHaveLength(3);
    expect(res.stdout + json.stdout + json.stderr).not.toContain(TOKEN);
  });

  it('follows new lines until interrupted, and the reader on the host ends with it', async () => {
    const { spawn } = await import('node:child_process');
    const { CLAWCTL } = await import('../harness/cli.js');
    const child = spawn(process.execPath, [CLAWCTL, 'agents', 'logs', 'claw', '-n', '1', '--follow'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(text);
    };
    await waitFor('WARN retrying');
    writeFileSync(logFile, `${JSON.stringify({ 0: `reconnected with ${TOKEN}`, _meta: { logLevelName: 'INFO' } })}\n`, { flag: 'a' });
    await waitFor('INFO reconnected with (sensitive');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(out).not.toContain(TOKEN);
    expect(() => execFileSync('pgrep', ['-f', logFile])).toThrow(); // no tail left behind
  });

  it('restarts through the service, waits for /readyz, and audits it; not ready is exit 1', async () => {
    const res = await run('agents', 'restart', 'claw', '--json');
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expectOutputSchema('agents restart', out);
    expect(out).toMatchObject({ agent: 'claw', host: 'h', service: 'process', before: 'ready', healthy: true });
    expect(readFileSync(join(home, 'restarts'), 'utf8')).toBe(`--profile ${profile} gateway restart state=${home}/.openclaw-${profile}\n`);

    readyz = 503;
    const stuck = await run('agents', 'restart', 'claw', '--timeout', '2');
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toMatch(/^The restart of claw on h via process did not make it ready: gateway on port \d+ not ready after 2 s \(last \/readyz: 503\)\.\nNext: clawctl diagnose claw/);
    readyz = 200;

    const audit = JSON.parse((await run('audit', 'log', '--action', 'agent.restart', '--json')).stdout);
    expect(audit.entries.map((e: { result: string }) => e.result)).toEqual(['ok', 'unhealthy']);
  });

  it('says why when there is nothing to restart through or no log to read', async () => {
    writeFleetFiles('none');
    const restart = await run('agents', 'restart', 'claw');
    expect(restart.code).toBe(1);
    expect(restart.stderr).toContain('host h has service: none, so clawctl does not run its gateways');
    const journal = await run('agents', 'logs', 'claw', '--source', 'journal');
    expect(journal.code).toBe(1);
    expect(journal.stderr).toContain("service 'none' keeps no journal");
    const unknown = await run('agents', 'logs', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown agent nope\n {2}hint: agents: claw/);
    writeFleetFiles('process');
  });
});
