import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { OPENCLAW_BIN, openclawAs, openclawInstalled, provideOpenclaw, startGateway, stopGateway, waitReady } from '../harness/openclaw.js';
import { freePort, type ClientKey, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

const VERSION = '2026.9.6';

interface ListedJob {
  id: string;
  name: string;
  declarationKey?: string;
  enabled: boolean;
  schedule: { kind: string; expr?: string; tz?: string; everyMs?: number };
  payload: { kind: string; message?: string; text?: string };
}

/** spec.cron reconciled through `openclaw cron` against a real OpenClaw gateway on a real sshd host. */
describe('cron jobs through a real OpenClaw gateway', () => {
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let host: SshHost;
  let port: number;
  let gateway: ChildProcess | undefined;
  const agent: AgentDef = { name: 'claw', host: 'cr1' };
  // service none: the test runs the gateway itself, and stops it by its pid.
  const fleet = () =>
    writeFleet(repo, [host], [agent], {
      identityFile: client.privateKeyPath,
      service: 'none',
      fleetSpec: {
        openclaw: { version: VERSION },
        defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] },
        rollout: { healthTimeoutSeconds: 90 },
      },
    });
  const run = (args: string[]) => clawctl(args, { cwd: repo });
  const jobs = (): ListedJob[] => {
    const res = openclawAs(host, ['cron', 'list', '--all', '--json', '--port', String(port)]);
    expect(res.code, res.out).toBe(0);
    return (JSON.parse(res.out.slice(res.out.indexOf('{'))) as { jobs: ListedJob[] }).jobs;
  };
  const named = (name: string) => jobs().filter((j) => j.name === name);
  const marker = () => join(host.home, '.openclaw', '.clawctl-cron');
  const inSync = async () => {
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  };

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    lab = await startSshLab('cron', ['cr1']);
    ({ repo, client } = lab);
    host = lab.hosts[0]!;
    provideOpenclaw(host);
    port = await freePort();
    agent.port = port;
    fleet();
    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    gateway = startGateway(host, port);
    await waitReady(port, 120_000);
    // A job a person made on the host, which the manifest never names: clawctl leaves it alone.
    const mine = openclawAs(host, ['cron', 'add', '--name', 'mine', '--every', '2h', '--system-event', 'mine', '--session', 'main', '--port', String(port)]);
    expect(mine.code, mine.out).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (gateway) await stopGateway(gateway);
    await lab?.remove();
  });

  it('adds the jobs the manifest names, marked as clawctl’s, and plans no change after', async () => {
    agent.cron = [
      { name: 'brief', schedule: '0 7 * * *', tz: 'Europe/Berlin', message: 'Summarize overnight updates.' },
      { name: 'tick', schedule: 'every 30m', message: '-- tick --', payload: 'systemEvent' },
    ];
    fleet();
    const plan = await run(['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expectOutputSchema('plan', planned);
    expect(planned.changes[0].actions).toEqual([
      expect.objectContaining({ type: 'cron', jobs: [expect.objectContaining({ name: 'brief', action: 'add' }), expect.objectContaining({ name: 'tick', action: 'add' })] }),
    ]);
    expect(planned.changes[0].actions[0].waits).toBeUndefined();
    const text = await run(['plan']);
    expect(text.stdout).toContain('+ brief: "0 7 * * *" Europe/Berlin, agent turn "Summarize overnight updates.", session isolated');

    const apply = await run(['apply', '--auto-approve', '--json']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout).result.agents[0]).toMatchObject({ ok: true, done: expect.arrayContaining(['cron add brief', 'cron add tick']) });

    expect(named('brief')).toEqual([expect.objectContaining({ declarationKey: 'clawctl:brief', enabled: true, schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'Europe/Berlin' } })]);
    expect(named('tick')).toEqual([
      expect.objectContaining({
        declarationKey: 'clawctl:tick',
        schedule: expect.objectContaining({ kind: 'every', everyMs: 1_800_000 }),
        payload: expect.objectContaining({ kind: 'systemEvent', text: '-- tick --' }),
      }),
    ]);
    expect(named('mine')).toHaveLength(1);
    expect(existsSync(marker())).toBe(true);
    await inSync();
  });

  it('changes a job in place: same id, the new schedule and message', async () => {
    const id = named('brief')[0]!.id;
    agent.cron![0] = { name: 'brief', schedule: '0 8 * * 1-5', tz: 'Europe/Berlin', message: 'Summarize the weekday.' };
    fleet();
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('~ brief');
    expect(plan.stdout).toContain('schedule: "0 7 * * *" Europe/Berlin → "0 8 * * 1-5" Europe/Berlin');
    expect(plan.stdout).toContain('message: "Summarize overnight updates." → "Summarize the weekday."');

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(named('brief')).toEqual([
      expect.objectContaining({ id, schedule: { kind: 'cron', expr: '0 8 * * 1-5', tz: 'Europe/Berlin' }, payload: expect.objectContaining({ message: 'Summarize the weekday.' }) }),
    ]);
    await inSync();
  });

  it("removes clawctl's job the manifest dropped, and only that one: a person's and OpenClaw's own stay", async () => {
    const others = jobs()
      .filter((j) => j.name !== 'tick')
      .map((j) => j.id)
      .sort();
    agent.cron = agent.cron!.filter((j) => j.name !== 'tick');
    fleet();
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('- tick (added by clawctl, no longer in the manifest)');
    expect(plan.stdout).not.toContain('mine');

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(
      jobs()
        .map((j) => j.id)
        .sort(),
    ).toEqual(others);
    expect(jobs().some((j) => j.declarationKey?.startsWith('heartbeat:'))).toBe(true);
    await inSync();
  });

  it('removes its last job when the manifest names none, and stops reading the jobs there', async () => {
    delete agent.cron;
    fleet();
    const plan = await run(['plan']);
    expect(plan.stdout).toContain('- brief (added by clawctl');
    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(named('brief')).toEqual([]);
    expect(named('mine')).toHaveLength(1);
    expect(existsSync(marker())).toBe(false);
    await inSync();
  });

  it('says a change waits for a gateway that is not running, and apply fails on it saying so', async () => {
    await stopGateway(gateway!);
    gateway = undefined;
    agent.cron = [{ name: 'later', schedule: 'every 1h', message: 'later' }];
    fleet();
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('! waits: the gateway is not running, and OpenClaw changes cron jobs only through it: start it (clawctl agents restart claw), then apply again');

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code).not.toBe(0);
    expect(apply.stdout).toContain('1 cron job change(s) not made: the gateway is not running');
    // Still pending, so the next plan shows it again.
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(2);
  });
});
