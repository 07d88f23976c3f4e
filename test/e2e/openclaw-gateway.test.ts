import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { OPENCLAW_BIN, openclawAs, openclawInstalled, provideOpenclaw, startGateway, stopGateway, waitReady } from '../harness/openclaw.js';
import { freePort, type ClientKey, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

const VERSION = '2026.9.6';

/** clawctl against a real OpenClaw: its config is accepted, hot-reloaded, and guarded. */
describe('a real OpenClaw gateway', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let host: SshHost;
  let port: number;
  let gateway: ChildProcess | undefined;
  const agent: AgentDef = { name: 'claw', host: 'oc1' };
  const fleet = () =>
    writeFleet(repo, [host], [agent], {
      identityFile: client.privateKeyPath,
      service: 'process',
      fleetSpec: {
        openclaw: { version: VERSION },
        defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] },
        rollout: { healthTimeoutSeconds: 90 },
      },
    });
  // An empty cache and no registry to fetch from: clawctl's own check cannot run, so only the host checks.
  const hostOnly = { XDG_CACHE_HOME: '', CLAWCTL_NPM_REGISTRY: 'http://127.0.0.1:9/' };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => clawctl(args, { cwd: repo, env });
  /** The gateway apply started, by the pid file it keeps in the state dir ("PID START"). */
  const gatewayPid = () => Number(readFileSync(join(host.home, '.openclaw', 'clawctl-gateway.pid'), 'utf8').split(' ')[0]);
  const waitClosed = async (p: number, ms: number) => {
    const end = Date.now() + ms;
    while (
      Date.now() < end &&
      (await fetch(`http://127.0.0.1:${p}/healthz`).then(
        () => true,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 250));
  };

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    lab = await startSshLab('oc', ['oc1']);
    ({ root, repo, client } = lab);
    host = lab.hosts[0]!;
    provideOpenclaw(host);
    port = await freePort();
    agent.port = port;
    hostOnly.XDG_CACHE_HOME = join(root, 'empty-cache');
    fleet();
  });

  afterAll(async () => {
    if (gateway) await stopGateway(gateway);
    await lab?.remove();
  });

  it('writes a config that openclaw accepts, with the config read-only to OpenClaw itself', async () => {
    const plan = await run(['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    // A new agent's gateway is started by apply itself (service: process) and health-gated.
    expect(JSON.parse(plan.stdout).changes[0].actions.map((a: { type: string }) => a.type)).toEqual(['config', 'env', 'restart']);

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);

    const validate = openclawAs(host, ['config', 'validate', '--json']);
    expect(validate.code, validate.out).toBe(0);
    expect(JSON.parse(validate.out)).toMatchObject({ valid: true });

    const before = readFileSync(join(host.home, '.openclaw', 'openclaw.json'), 'utf8');
    const write = openclawAs(host, ['config', 'set', 'gateway.port', '1234']);
    expect(write.code).not.toBe(0);
    expect(write.out).toContain('OPENCLAW_CONFIG_READONLY=1');
    expect(readFileSync(join(host.home, '.openclaw', 'openclaw.json'), 'utf8')).toBe(before);
  });

  it('sees the running gateway online through its own probes, at the pinned version', async () => {
    await waitReady(port, 90_000);
    const status = await run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).agents[0]).toMatchObject({ agent: 'claw', state: 'online', version: { pinned: VERSION, installed: VERSION }, drift: 0 });
  });

  it("reads the running gateway's own log over SSH", async () => {
    const res = await run(['agents', 'logs', 'claw', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.source).toMatchObject({ kind: 'file', where: expect.stringMatching(/^\/tmp\/openclaw(-\d+)?\/openclaw-\d{4}-\d{2}-\d{2}\.log$/) });
    expect(out.lines.length).toBeGreaterThan(0);
    expect(out.lines.every((l: { level?: string }) => l.level !== undefined)).toBe(true);
  });

  it('restarts the running gateway through `openclaw gateway restart` and waits until it is ready again', async () => {
    const res = await run(['agents', 'restart', 'claw', '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ service: 'process', before: 'ready', healthy: true });
    await waitReady(port, 60_000);
  });

  it('diagnoses the running gateway as healthy at every step', async () => {
    const res = await run(['diagnose', 'claw', '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const result = JSON.parse(res.stdout);
    expectOutputSchema('diagnose', result);
    expect(result).toMatchObject({ agent: 'claw', healthy: true });
    expect(Object.fromEntries(result.steps.map((s: { step: string; status: string }) => [s.step, s.status]))).toMatchObject({
      host: 'ok',
      openclaw: 'ok',
      files: 'ok',
      config: 'ok',
      service: 'ok',
      gateway: 'ok',
      health: 'ok',
    });
  });

  it('changes the config of the running gateway, which hot-reloads it and stays healthy', async () => {
    agent.config = { logging: { level: 'debug' } };
    fleet();
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('+ /logging: {"level":"debug"}');
    expect(plan.stdout).not.toContain('restart');

    const apply = await run(['apply', '--auto-approve', '--json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout).result.agents[0]).toMatchObject({ ok: true, done: ['openclaw.json', 'health'] });
    expect(() => process.kill(gatewayPid(), 0), 'the gateway apply started still runs').not.toThrow();

    const health = openclawAs(host, ['health', '--json', '--timeout', '20000']);
    expect(health.code, health.out).toBe(0);
    expect(JSON.parse(health.out.slice(health.out.indexOf('{')))).toMatchObject({ ok: true });
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it("refuses, at validate time, a key that OpenClaw's own check rejects, naming file:line:col", async () => {
    agent.config = { logging: { level: 'debug' }, telemetryMode: 'off' };
    fleet();
    const res = await run(['validate']);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toMatch(/^fleet\/fleet\.yaml:\d+:\d+: agent claw: openclaw\.json \(root\): Unrecognized key: "telemetryMode" \(OpenClaw 2026\.9\.6\)$/m);
  });

  it("never installs a config the host's OpenClaw rejects", async () => {
    const path = join(host.home, '.openclaw', 'openclaw.json');
    const before = readFileSync(path, 'utf8');
    const apply = await run(['apply', '--auto-approve'], hostOnly);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('OpenClaw on oc1 rejected the new openclaw.json; nothing was installed');
    expect(apply.stdout).toContain('telemetryMode');
    expect(readFileSync(path, 'utf8')).toBe(before);
    await waitReady(port, 5_000);
  });

  it('names the cause when the gateway will not start: no gateway.mode', async () => {
    process.kill(gatewayPid(), 'SIGKILL');
    await waitClosed(port, 30_000);
    agent.config = {};
    writeFleet(repo, [host], [agent], {
      identityFile: client.privateKeyPath,
      service: 'process',
      fleetSpec: { openclaw: { version: VERSION }, defaults: { config: { gateway: { bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] } },
    });
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    gateway = startGateway(host, port);
    const code = await new Promise<number | null>((resolve) => gateway!.once('exit', resolve));
    expect(code).toBe(78);
    const res = await run(['diagnose', 'claw']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/✗ service +no gateway process runs/);
    expect(res.stdout).toMatch(/✗ gateway +nothing listens on port/);
    expect(res.stdout).toContain('Cause: openclaw.json sets no `gateway.mode`');
    expect(res.stdout).toMatch(/Evidence:\n .*Gateway start blocked: existing config is missing gateway\.mode/);
  });
});
