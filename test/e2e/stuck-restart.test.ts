import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackHole, type BlackHole } from '../harness/blackhole.js';
import { clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { eventually, isAlive, killGateway, lockPid } from '../harness/gateway-lock.js';
import { OPENCLAW_BIN, openclawInstalled, provideOpenclaw, startGateway, stopGateway, waitReady } from '../harness/openclaw.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { freePort, type ClientKey, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

const VERSION = '2026.9.6';
/** The Fleet's rollout.healthTimeoutSeconds: every restart and every wait is bounded by it. */
// Generous: under the whole suite, with other gateways starting beside it, a start can take half a minute.
const HEALTH_TIMEOUT = 75;
/** Not shaped like a real Telegram token, and under a name the secret-literals baseline lets be. */
const token = (n: number) => `700000${n}:stuck-gateway-test-${n}`;

/**
 * Issue #10: a real OpenClaw gateway whose Telegram channel talks to an API that accepts and
 * never answers. Its stop then hangs (the channel never finishes stopping, SIGTERM is ignored
 * while it shuts down) and it keeps the gateway lock. clawctl bounds the restart by the
 * Fleet's health timeout, forces the stop, and leaves a gateway that was healthy healthy.
 */
describe('a gateway whose stop hangs', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let host: SshHost;
  let port: number;
  let api: BlackHole;
  let gateway: ChildProcess | undefined;
  const agent: AgentDef = { name: 'claw', host: 'stuck1' };
  const fleet = (env: Record<string, string>, service = 'process') => {
    agent.env = env;
    writeFleet(repo, [host], [agent], {
      identityFile: client.privateKeyPath,
      service,
      fleetSpec: {
        openclaw: { version: VERSION },
        defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] },
        rollout: { healthTimeoutSeconds: HEALTH_TIMEOUT },
      },
    });
  };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => clawctl(args, { cwd: repo, env });
  const stateFile = (name: string) => join(host.home, '.openclaw', name);
  const readyz = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status;
    } catch {
      return 0;
    }
  };
  /**
   * The running gateway's Telegram channel is up and waiting on the API that never answers:
   * its provider's first calls (deleteWebhook, command sync, polling) are open beside the
   * startup probe's. Before that, a stop does not hang.
   */
  const channelHangs = async () => expect(await eventually(() => api.open() >= 3, 120)).toBe(true);

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    lab = await startSshLab('stuck', ['stuck1']);
    ({ root, repo, client } = lab);
    host = lab.hosts[0]!;
    provideOpenclaw(host);
    api = await startBlackHole();
    port = await freePort();
    agent.port = port;
    agent.config = {
      channels: { telegram: { enabled: true, botToken: '${TG_BOT_CREDENTIAL}', apiRoot: `http://127.0.0.1:${api.port}`, network: { dangerouslyAllowPrivateNetwork: true } } },
    };
    // The first apply writes the files only (service: none): the test runs the gateway itself,
    // to watch its process, where apply would otherwise start a new agent's gateway.
    fleet({ TG_BOT_CREDENTIAL: token(1) }, 'none');
    const first = await run(['apply', '--auto-approve']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    gateway = startGateway(host, port);
    await waitReady(port, 90_000);
  });

  afterAll(async () => {
    if (gateway) await stopGateway(gateway);
    if (host) await killGateway(lockPid(host));
    await api?.close();
    await lab?.remove();
  });

  it('restarts within the health timeout for a .env change: the hung stop is killed, a new gateway is healthy, and the old .env is gone', async () => {
    await channelHangs();
    const old = gateway!;
    expect(lockPid(host)).toBe(old.pid);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => old.once('exit', (_code, signal) => resolve(signal)));

    fleet({ TG_BOT_CREDENTIAL: token(2) });
    const apply = await run(['apply', '--auto-approve', '--json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const result = JSON.parse(apply.stdout).result.agents[0];
    expect(result).toMatchObject({ agent: 'claw', ok: true, done: ['.env', 'restart', 'health'] });
    expect(result.forced).toEqual([expect.stringMatching(new RegExp(`^gateway pid ${old.pid} was still stopping \\d+ s after SIGTERM; sent SIGKILL$`))]);
    // OpenClaw alone would have waited for its 330 s drain; the old process was killed instead.
    expect(await exited).toBe('SIGKILL');
    const fresh = lockPid(host)!;
    expect(fresh).not.toBe(old.pid);
    expect(isAlive(fresh)).toBe(true);
    expect(await readyz()).toBe(200);

    // The rotated-out token does not stay on disk once the agent passed its health gate.
    expect(existsSync(stateFile('.env.clawctl-prev'))).toBe(false);
    expect(readFileSync(stateFile('.env'), 'utf8')).toContain(token(2));
    expect(readFileSync(stateFile('.env'), 'utf8')).not.toContain(token(1));
    expect(apply.stdout + apply.stderr).not.toContain(token(2));
  }, 300_000);

  it('diagnose names the live process that holds the gateway lock, and agents restart forces it out', async () => {
    await channelHangs();
    const stuck = lockPid(host)!;
    process.kill(stuck, 'SIGTERM'); // its stop hangs on the channel: alive, lock held, port closed
    expect(await eventually(async () => (await readyz()) === 0, 60)).toBe(true);
    expect(isAlive(stuck)).toBe(true);

    const text = await run(['diagnose', 'claw']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`✗ service +gateway process ${stuck} is alive and holds the gateway lock, but nothing listens on port ${port}`));
    expect(text.stdout).not.toContain('no gateway process runs');
    expect(text.stdout).toMatch(new RegExp(`Cause: gateway process ${stuck} is alive and holds the gateway lock`));
    const json = await run(['diagnose', 'claw', '--json']);
    const diagnosis = JSON.parse(json.stdout);
    expectOutputSchema('diagnose', diagnosis);
    expect(diagnosis.cause.fix).toContain('clawctl agents restart claw');

    const restart = await run(['agents', 'restart', 'claw', '--json']);
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    const out = JSON.parse(restart.stdout);
    expect(out).toMatchObject({ service: 'process', healthy: true });
    expect(out.forced).toContainEqual(expect.stringMatching(new RegExp(`^gateway pid ${stuck} was still stopping \\d+ s after SIGTERM; sent SIGKILL$`)));
    expect(isAlive(stuck)).toBe(false);
    expect(lockPid(host)).not.toBe(stuck);
    expect(await readyz()).toBe(200);
    expect((await run(['diagnose', 'claw'])).code).toBe(0);
  }, 300_000);

  it('rolls back a .env that leaves the gateway unready, and the gateway healthy before is healthy after the rollback', async () => {
    await channelHangs();
    const before = readFileSync(stateFile('.env'), 'utf8');
    // The new process listens elsewhere, so the health gate on the agent's port fails.
    fleet({ TG_BOT_CREDENTIAL: token(3), OPENCLAW_GATEWAY_PORT: String(await freePort()) });
    const apply = await run(['apply', '--auto-approve', '--json']);
    expect(apply.code).toBe(1);
    const result = JSON.parse(apply.stdout).result.agents[0];
    expect(result).toMatchObject({ ok: false, rolledBack: true, healthyAfterRollback: true });
    expect(result.done).toEqual(['.env', 'restart', 'rollback', 'rollback restart', 'rollback health']);
    expect(result.error).toMatch(new RegExp(`^health failed on .*: gateway on port ${port} not ready after ${HEALTH_TIMEOUT} s`));
    expect(result.error).toContain('the gateway is healthy again on the previous files');
    expect(result.forced?.[0]).toMatch(/was still stopping \d+ s after SIGTERM; sent SIGKILL$/);
    expect(readFileSync(stateFile('.env'), 'utf8')).toBe(before);
    expect(await readyz()).toBe(200);
    expect(apply.stdout + apply.stderr).not.toContain(token(3));
    fleet({ TG_BOT_CREDENTIAL: token(2) });
  }, 600_000);

  it("shows the host's rejection whole: every issue `openclaw config validate` names, in --json and in text", async () => {
    const ghosts = Array.from({ length: 10 }, (_, i) => `ghost${i}`);
    agent.config = { ...agent.config, bindings: ghosts.map((id) => ({ agentId: id, match: { channel: 'telegram', accountId: 'default' } })) };
    fleet({ TG_BOT_CREDENTIAL: token(2) });
    // clawctl's own check cannot run (an empty cache, no registry, no openclaw on PATH): only the host checks.
    const hostOnly = { XDG_CACHE_HOME: join(root, 'empty-cache'), CLAWCTL_NPM_REGISTRY: 'http://127.0.0.1:9/', PATH: '/usr/bin:/bin' };
    const json = await run(['apply', '--auto-approve', '--json'], hostOnly);
    expect(json.code, json.stderr).toBe(1);
    const result = JSON.parse(json.stdout).result.agents[0];
    expect(result.configIssues).toHaveLength(ghosts.length);
    expect(result.configIssues).toEqual(ghosts.map((id, i) => ({ path: `bindings.${i}.agentId`, message: expect.stringContaining(`Unknown agent id "${id}"`) })));
    const text = await run(['apply', '--auto-approve'], hostOnly);
    expect(text.stdout).toContain('OpenClaw on stuck1 rejected the new openclaw.json; nothing was installed');
    for (const [i, id] of ghosts.entries()) expect(text.stdout).toContain(`- bindings.${i}.agentId: Unknown agent id "${id}"`);
    expect(await readyz()).toBe(200);
  });
});
