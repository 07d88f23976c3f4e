import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, type CliResult } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { openclawAs, openclawInstalled, OPENCLAW_BIN, provideOpenclaw, waitReady } from '../harness/openclaw.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { freePort, startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';
import { startModelServer, type ModelServer } from '../servers/openai-chat.js';
import { startWebhook, type WebhookServer } from '../servers/webhook.js';

const VERSION = '2026.9.6';
const GATEWAY_TOKEN = 'gw-usage-cost-4b1d7e2a9c3f5e6d8a0b1c2d3e4f5a6b-never-print';

interface UsageCostJson {
  daily: { date: string; totalCost: number }[];
  totals: { totalCost: number };
  cacheStatus?: { status: string };
}

/**
 * Usage cost end to end, every part real but the model: a real OpenClaw 2026.9.6 gateway on a
 * real sshd host, its model a scripted OpenAI-compatible server that reports 100 input and 10
 * output tokens a turn, priced in OpenClaw's own model cost table (`local/cheap`: $1000 and
 * $5000 per million, so $0.15 a turn). A turn through the gateway writes OpenClaw's session
 * log; clawctl reads its cost through `openclaw gateway usage-cost` in the observation, and
 * must say what OpenClaw itself says. Then a budget: flagged, alerted once, and refusing an
 * apply that raises the model tier.
 */
describe("an agent's usage cost, from OpenClaw itself, against a budget", () => {
  let lab: SshLab;
  let host: SshHost;
  let model: ModelServer;
  let hook: WebhookServer;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const outputs: string[] = [];
  const run = async (args: string[], stdin?: string): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: lab.repo, env, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const price = (input: number, output: number) => ({ input, output, cacheRead: 0, cacheWrite: 0 });
  const agent = (primary: string): AgentDef => ({
    name: 'claw',
    host: 'uc1',
    config: {
      gateway: { port, auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' } },
      models: {
        providers: {
          local: {
            baseUrl: model.baseUrl,
            apiKey: model.apiKey,
            api: 'openai-completions',
            models: [
              { id: 'cheap', name: 'Cheap', reasoning: false, input: ['text'], contextWindow: 128000, maxTokens: 4096, cost: price(1000, 5000) },
              { id: 'dear', name: 'Dear', reasoning: false, input: ['text'], contextWindow: 128000, maxTokens: 4096, cost: price(30000, 150000) },
            ],
          },
        },
      },
      agents: { defaults: { model: { primary }, workspace: join(host.home, 'workspace') } },
    },
    env: { OPENCLAW_GATEWAY_TOKEN: { secretRef: { sops: 'secrets/gateway.sops.yaml', key: 'token' } } as unknown as string },
  });
  const fleet = (primary: string, dailyBudget: number) => {
    writeFleet(lab.repo, [host], [agent(primary)], {
      identityFile: lab.client.privateKeyPath,
      service: 'process',
      fleetSpec: {
        openclaw: { version: VERSION },
        defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] },
        rollout: { healthTimeoutSeconds: 90 },
        alerts: [{ name: 'ops', webhook: { url: hook.url }, events: ['budget.crossed'] }],
      },
    });
    mkdirSync(join(lab.repo, 'fleet', 'policies'), { recursive: true });
    writeFileSync(
      join(lab.repo, 'fleet', 'policies', 'spend.yaml'),
      [
        'apiVersion: clawctl.dev/v1',
        'kind: Policy',
        'metadata: {name: spend}',
        'spec:',
        '  rules:',
        '    - name: daily-cap',
        '      budget:',
        `        daily: ${dailyBudget}`,
        '        models: [local/cheap, local/dear]',
        '        blockTierRaise: true',
        '',
      ].join('\n'),
    );
  };
  /**
   * One turn through the running gateway, as the host's user runs `openclaw agent`: not
   * blocking this process, whose event loop serves the model the gateway calls.
   */
  const agentTurn = (message: string): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      execFile(
        join(host.home, '.local', 'bin', 'openclaw'),
        ['agent', '--session-id', 'budget-1', '--message', message, '--json'],
        { uid: host.uid, gid: host.gid, cwd: host.home, env: { HOME: host.home, PATH: `${join(host.home, '.local', 'bin')}:/usr/bin:/bin`, USER: host.user }, timeout: 150_000, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  /** OpenClaw's own answer, as the host's user asks it; its usage cache fills in its own time. */
  const usageCost = (): UsageCostJson => {
    const res = openclawAs(host, ['gateway', 'usage-cost', '--json', '--days', '31']);
    expect(res.code, res.out).toBe(0);
    return JSON.parse(res.out.slice(res.out.indexOf('{'))) as UsageCostJson;
  };

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    lab = await startSshLab('usage-cost', ['uc1']);
    host = lab.hosts[0]!;
    provideOpenclaw(host);
    port = await freePort();
    model = await startModelServer({ apiKey: 'scripted-local-model', model: 'cheap', script: () => ({ text: 'hello from the scripted model' }) });
    hook = await startWebhook();
    const identity = await generateX25519Identity();
    writeFileSync(join(lab.repo, '.sops.yaml'), `creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    age: ${await identityToRecipient(identity)}\n`);
    env = {
      SOPS_AGE_KEY: identity,
      SOPS_AGE_KEY_FILE: '',
      XDG_CONFIG_HOME: join(lab.root, 'config'),
      GITHUB_ACTIONS: '',
      XDG_CACHE_HOME: join(lab.root, 'empty-cache'),
      CLAWCTL_NPM_REGISTRY: 'http://127.0.0.1:9/',
    };
    fleet('local/cheap', 0.1);
    expect((await run(['secrets', 'set', 'secrets/gateway.sops.yaml', 'token'], `${GATEWAY_TOKEN}\n`)).code).toBe(0);
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    await waitReady(port, 90_000);
  });

  afterAll(async () => {
    // The gateway apply started (service: process) goes with its user.
    await Promise.all([model?.close(), hook?.close()]);
    await lab?.remove();
  });

  it('reads the cost of a turn the gateway ran, exactly as `openclaw gateway usage-cost` reports it', async () => {
    const turn = await agentTurn('hello');
    expect(turn.code, turn.out.slice(-2000)).toBe(0);
    expect(model.requests.length).toBeGreaterThan(0);
    // Wait for OpenClaw's usage cache to take the new session in (its own refresh).
    let direct = usageCost();
    for (let i = 0; i < 60 && !(direct.cacheStatus?.status === 'fresh' && direct.totals.totalCost > 0); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      direct = usageCost();
    }
    const today = direct.daily.at(-1)!;
    expect(today.totalCost).toBeCloseTo(0.15 * model.requests.length, 6);

    const status = await run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const result = JSON.parse(status.stdout);
    expectOutputSchema('status', result);
    const claw = result.agents[0];
    // As OpenClaw says it, to the micro-dollar clawctl keeps (0.15000000000000002 is $0.15).
    expect(claw.cost).toEqual({ state: 'known', day: today.date, todayUsd: expect.closeTo(today.totalCost, 6), month: today.date.slice(0, 7), monthUsd: expect.any(Number), unpricedEntries: 0 });
    expect(claw.cost.monthUsd).toBeCloseTo(
      direct.daily.filter((d) => d.date.startsWith(today.date.slice(0, 7))).reduce((n, d) => n + d.totalCost, 0),
      6,
    );
    expect(claw.budgets).toEqual([{ policy: 'spend', rule: 'daily-cap', period: 'daily', limitUsd: 0.1, spentUsd: expect.closeTo(today.totalCost, 6), over: true, blocksTierRaise: true }]);
    expect(claw.responseMs).toEqual(expect.any(Number));

    const text = await run(['status']);
    expect(text.stdout).toMatch(/claw\s+uc1\s+online\s+2026\.9\.6\s+in sync\s+\$0\.\d\d \/ \$0\.\d\d\s+OVER/);
    const info = await run(['agents', 'info', 'claw']);
    expect(info.stdout).toContain("from OpenClaw's usage cost)");
    expect(info.stdout).toContain('spend/daily-cap daily budget $0.10: spent $0.');
  });

  it('alerts budget.crossed once while the agent is over, not every cycle', async () => {
    const first = await run(['watch', '--once', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).alerts).toMatchObject({ opened: [{ event: 'budget.crossed', subject: 'claw' }], failed: [] });
    const second = await run(['watch', '--once', '--json']);
    expect(JSON.parse(second.stdout).alerts).toMatchObject({ opened: [], delivered: [] });
    expect(hook.received).toHaveLength(1);
    expect(String(hook.received[0]!.text)).toContain('claw');
    expect(String(hook.received[0]!.text)).toContain('spend/daily-cap: daily budget $0.10: spent $0.');
  });

  it('refuses an apply that raises the model tier of an agent over its budget; allows it under a higher budget', async () => {
    fleet('local/dear', 0.1);
    const plan = await run(['plan']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(3);
    expect(plan.stdout + plan.stderr).toMatch(
      /spend\/daily-cap: agent claw \(fleet\/fleet\.yaml:\d+:\d+\): model "local\/cheap" → "local\/dear" raises the model tier while over its daily budget \$0\.10: spent \$0\.\d\d \(over\)/,
    );
    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(3);
    expect(usageCost().totals.totalCost).toBeGreaterThan(0);

    fleet('local/dear', 50);
    const allowed = await run(['plan', '--detailed-exitcode']);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(2);
    expect(outputs.join('')).not.toContain(GATEWAY_TOKEN);
  });
});
