import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushOutbox } from '../../src/alerts/deliver.js';
import { cycleFindings, type CycleFacts } from '../../src/alerts/findings.js';
import { advanceIncidents, type Finding, type Incidents } from '../../src/alerts/incidents.js';
import { duration, transitionMessage } from '../../src/alerts/message.js';
import { afterFailure, dueNow, GIVE_UP_AFTER_MS, route, type Delivery } from '../../src/alerts/outbox.js';
import type { OpenedReceiver } from '../../src/alerts/receivers.js';
import { telegramSender } from '../../src/alerts/send-telegram.js';
import { webhookSender } from '../../src/alerts/send-webhook.js';
import { SendError, type Sender } from '../../src/alerts/sender.js';
import type { AgentStatus } from '../../src/engine/status.js';
import type { Plan } from '../../src/plan/plan.js';
import type { AlertAfter, AlertReceiver } from '../../src/validate/manifests.js';
import { startTelegram, type TelegramServer } from '../servers/telegram.js';
import { startWebhook, type WebhookServer } from '../servers/webhook.js';
import { freePort } from '../harness/sshd.js';

interface IncidentFixture {
  description: string;
  after: AlertAfter;
  prev: Incidents;
  steps: { at: string; findings: Finding[]; known?: string[]; transitions: string[]; incidents: Record<string, 'pending' | 'open'> }[];
}

/** The incident state machine, one JSON fixture per behaviour: each step's transitions and the incidents after it. */
describe('incidents: previous incidents × a cycle’s findings → transitions', () => {
  const dir = new URL('../fixtures/alerts/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.startsWith('incidents-'))) {
    const fx = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as IncidentFixture;
    it(`${file.replace(/^incidents-|\.json$/g, '')}: ${fx.description}`, () => {
      let incidents = fx.prev;
      fx.steps.forEach((step, i) => {
        const next = advanceIncidents(incidents, { at: step.at, findings: step.findings, ...(step.known ? { known: step.known } : {}) }, fx.after);
        expect(
          next.transitions.map((t) => `${t.kind} ${t.incident.event} ${t.incident.subject}`),
          `step ${i}`,
        ).toEqual(step.transitions);
        expect(Object.fromEntries(Object.entries(next.incidents).map(([k, v]) => [k, v.status])), `step ${i}`).toEqual(step.incidents);
        incidents = next.incidents;
      });
    });
  }

  it('is pure: the previous incidents are not changed', () => {
    const prev: Incidents = {};
    advanceIncidents(prev, { at: '2026-05-01T10:00:00Z', findings: [{ event: 'drift.found', subject: 'a', labels: {}, firing: true, reason: 'x' }] });
    expect(prev).toEqual({});
  });
});

describe('findings: a watch cycle → what is firing', () => {
  const agent = (name: string, host: string, labels: Record<string, string> = {}) => ({ name, host, labels, stateDir: '.openclaw', port: 1, config: {}, env: {}, ignore: [] });
  const status = (agent: string, host: string, state: AgentStatus['state'], reason: string, drift = 0): AgentStatus => ({
    agent,
    host,
    stateDir: '.openclaw',
    port: 1,
    state,
    reason,
    version: {},
    drift,
    observedAt: '2026-05-01T10:00:00Z',
  });
  const facts = (over: Partial<Plan>, statuses: AgentStatus[], apply?: CycleFacts['apply']): CycleFacts => ({
    desired: {
      fleet: { name: 'prod', contentHash: '', files: {}, key: '' },
      rollout: { maxUnavailable: 1, healthTimeoutSeconds: 60, waves: [] },
      hosts: [
        { name: 'h1', labels: { zone: 'a' }, connection: { kind: 'local', home: '/' }, service: 'none', commandTimeoutSeconds: 120 },
        { name: 'h2', labels: {}, connection: { kind: 'local', home: '/' }, service: 'none', commandTimeoutSeconds: 120 },
      ],
      agents: [agent('claw', 'h1', { team: 'core' }), agent('side', 'h2')],
    },
    plan: { changes: [], unreachable: [], policy: { violations: [], optOuts: [], approved: [] }, ...over } as unknown as Plan,
    statuses,
    ...(apply ? { apply } : {}),
  });
  const firing = (fs: Finding[]) => fs.filter((f) => f.firing).map((f) => `${f.event} ${f.subject}: ${f.reason}`);
  const looked = (fs: Finding[]) => fs.map((f) => `${f.event} ${f.subject}`);

  it('offline is agent.down, degraded is agent.degraded, each with its agent’s labels; online clears both', () => {
    const fs = cycleFindings(facts({}, [status('claw', 'h1', 'offline', 'no gateway listening on its port'), status('side', 'h2', 'online', 'gateway ready')]));
    expect(firing(fs)).toEqual(['agent.down claw: offline: no gateway listening on its port']);
    expect(fs.find((f) => f.event === 'agent.down' && f.subject === 'claw')!.labels).toEqual({ team: 'core' });
    expect(looked(fs)).toContain('agent.degraded side');
  });

  it('an unreachable host: its agents are down, and neither drift nor apply is judged for them', () => {
    const fs = cycleFindings(
      facts({ unreachable: [{ host: 'h2', error: 'connect ECONNREFUSED', agents: ['side'] }] }, [
        status('claw', 'h1', 'online', 'gateway ready'),
        status('side', 'h2', 'unknown', 'connect ECONNREFUSED'),
      ]),
    );
    expect(firing(fs)).toEqual(['agent.down side: host h2 unreachable: connect ECONNREFUSED']);
    expect(looked(fs).filter((k) => k.endsWith(' side'))).toEqual(['agent.down side', 'policy.violation side']);
  });

  it('drift is what stays pending after the cycle; a failed apply is apply.failed, not drift as well', () => {
    const changes = [
      { agent: 'claw', host: 'h1', stateDir: '.openclaw', actions: [{ type: 'config' }, { type: 'restart' }] },
      { agent: 'side', host: 'h2', stateDir: '.openclaw', actions: [{ type: 'env' }, { type: 'version', from: null, to: '2026.9.6' }] },
    ];
    const report = cycleFindings(facts({ changes } as unknown as Partial<Plan>, []));
    expect(firing(report)).toEqual(['drift.found claw: 1 change pending: openclaw.json', 'drift.found side: 2 changes pending: .env, OpenClaw none → 2026.9.6']);
    const applied = cycleFindings(
      facts({ changes } as unknown as Partial<Plan>, [], {
        status: 'partial',
        skipped: [],
        hosts: [],
        waves: [],
        agents: [
          { agent: 'claw', host: 'h1', ok: true, done: [] },
          { agent: 'side', host: 'h2', ok: false, done: [], error: 'not ready within 60 s', rolledBack: true },
        ],
      }),
    );
    expect(firing(applied)).toEqual(['apply.failed side: not ready within 60 s (rolled back)']);
    expect(applied.find((f) => f.event === 'drift.found' && f.subject === 'claw')).toMatchObject({ firing: false, reason: 'applied' });
  });

  it('policy violations: one finding per agent, host or fleet, every rule it breaks in its reason', () => {
    const v = (kind: 'Agent' | 'Host', name: string, rule: string) => ({
      policy: 'prod',
      rule,
      object: { kind, name },
      file: 'fleet/a.yaml',
      line: 3,
      col: 5,
      message: `${rule} broken`,
      severity: 'deny',
    });
    const fs = cycleFindings(
      facts({ policy: { violations: [v('Agent', 'claw', 'binds'), v('Agent', 'claw', 'models'), v('Host', 'h1', 'labels')], approved: [], unusedApprovals: [] } } as unknown as Partial<Plan>, []),
    );
    expect(firing(fs)).toEqual([
      'policy.violation claw: prod/binds (fleet/a.yaml:3): binds broken; prod/models (fleet/a.yaml:3): models broken',
      'policy.violation host/h1: prod/labels (fleet/a.yaml:3): labels broken',
    ]);
    expect(fs.find((f) => f.subject === 'host/h1')!.labels).toEqual({ zone: 'a' });
    expect(looked(fs)).toContain('policy.violation fleet/prod');
  });
});

describe('outbox: routing, order, rate limit, backoff', () => {
  const receivers: AlertReceiver[] = [
    { name: 'ops', webhook: { url: 'http://x' } },
    { name: 'oncall', telegram: { chatId: '-1', botToken: { secretRef: { sops: 'a.sops.yaml', key: 'k' } } }, events: ['agent.down'] },
    { name: 'core', webhook: { url: 'http://y' }, selector: { matchLabels: { team: 'core' } } },
  ];
  const t = (event: 'agent.down' | 'drift.found', subject: string, labels: Record<string, string>) => ({
    kind: 'open' as const,
    at: '2026-05-01T10:05:00.000Z',
    reason: 'r',
    incident: { event, subject, labels, status: 'open' as const, reason: 'r', since: '2026-05-01T10:00:00.000Z', cycles: 2, openedAt: '2026-05-01T10:05:00.000Z' },
  });
  const d = (n: number, next?: string): Delivery => ({
    receiver: 'ops',
    message: transitionMessage(t('drift.found', `a${n}`, {}), 'prod'),
    attempts: 0,
    rounds: 0,
    ...(next ? { nextAttemptAt: next } : {}),
  });
  const now = new Date('2026-05-01T10:05:00.000Z');

  it('a receiver gets the events it lists, for the subjects its selector takes', () => {
    expect(route(receivers, [t('agent.down', 'claw', { team: 'core' }), t('drift.found', 'side', {})], 'prod').map((x) => `${x.receiver} ${x.message.event} ${x.message.subject}`)).toEqual([
      'ops agent.down claw',
      'oncall agent.down claw',
      'core agent.down claw',
      'ops drift.found side',
    ]);
  });

  it('sends in order, never past one still waiting after a failure, and within maxPerMinute', () => {
    expect(dueNow([d(1), d(2), d(3)], 0, 20, now)).toHaveLength(3);
    expect(dueNow([d(1), d(2), d(3)], 18, 20, now)).toHaveLength(2);
    expect(dueNow([d(1), d(2, '2026-05-01T10:06:00.000Z'), d(3)], 0, 20, now)).toHaveLength(1);
    expect(dueNow([d(1, '2026-05-01T10:04:00.000Z'), d(2)], 0, 20, now)).toHaveLength(2);
  });

  it('backs off 30 s, doubling, at least the server’s retry-after, and gives up after a day', () => {
    const first = afterFailure(d(1), 3, 'HTTP 500', now)!;
    expect(first).toMatchObject({ attempts: 3, rounds: 1, nextAttemptAt: '2026-05-01T10:05:30.000Z', lastError: 'HTTP 500', firstTriedAt: now.toISOString() });
    expect(afterFailure(first, 3, 'HTTP 500', now)!.nextAttemptAt).toBe('2026-05-01T10:06:00.000Z');
    expect(afterFailure(d(1), 1, '429', now, 300)!.nextAttemptAt).toBe('2026-05-01T10:10:00.000Z');
    expect(afterFailure(first, 3, 'HTTP 500', new Date(now.getTime() + GIVE_UP_AFTER_MS))).toBeUndefined();
  });

  it('says how long an incident was open as a person would', () => {
    expect([duration(45_000), duration(12 * 60_000), duration(3 * 3600_000 + 5 * 60_000), duration(50 * 3600_000)]).toEqual(['45s', '12m', '3h 5m', '2d 2h']);
  });
});

describe('flushOutbox: retries inside a cycle, and a failing receiver holds up no other', () => {
  const msg = (subject: string) =>
    transitionMessage(
      {
        kind: 'open',
        at: '2026-05-01T10:00:00.000Z',
        reason: 'r',
        incident: { event: 'agent.down', subject, labels: {}, status: 'open', reason: 'r', since: '2026-05-01T10:00:00.000Z', cycles: 2, openedAt: '2026-05-01T10:00:00.000Z' },
      },
      'prod',
    );
  const receivers: AlertReceiver[] = [
    { name: 'flaky', webhook: { url: 'http://x' } },
    { name: 'dead', webhook: { url: 'http://y' } },
    { name: 'locked', telegram: { chatId: 1, botToken: { secretRef: { sops: 'a.sops.yaml', key: 'k' } } } },
  ];
  const outbox: Delivery[] = ['a', 'b'].flatMap((s) => receivers.map((r) => ({ receiver: r.name, message: msg(s), attempts: 0, rounds: 0 })));
  const calls: string[] = [];
  const counting = (name: string, fail: (n: number) => SendError | undefined): Sender => {
    let n = 0;
    return {
      send: async (m) => {
        calls.push(`${name} ${m.subject}`);
        const err = fail(++n);
        if (err) throw err;
      },
    };
  };

  it('delivers after in-cycle retries, keeps the rest of a failing receiver’s queue in order, reports what cannot send', async () => {
    const opened: OpenedReceiver[] = [
      { name: 'flaky', sender: counting('flaky', (n) => (n <= 2 ? new SendError('HTTP 503', true) : undefined)) },
      { name: 'dead', sender: counting('dead', () => new SendError('could not reach the server: ECONNREFUSED', true)) },
      { name: 'locked', unavailable: 'its botToken could not be read: no age key' },
    ];
    const now = new Date('2026-05-01T10:00:00.000Z');
    const r = await flushOutbox(outbox, {}, { receivers, open: async () => opened, now: () => now, retryDelaysMs: [0, 0] });
    expect(r.delivered.map((x) => `${x.receiver} ${x.subject} ${x.attempts}`)).toEqual(['flaky a 3', 'flaky b 1']);
    expect(r.failed.map((x) => `${x.receiver} ${x.subject} ${x.attempts} ${x.error} ${x.nextAttemptAt}`)).toEqual([
      'dead a 3 could not reach the server: ECONNREFUSED 2026-05-01T10:00:30.000Z',
      'locked a 0 locked cannot send: its botToken could not be read: no age key 2026-05-01T10:00:30.000Z',
    ]);
    expect(calls.filter((c) => c.startsWith('dead'))).toEqual(['dead a', 'dead a', 'dead a']);
    expect(r.outbox.map((x) => `${x.receiver} ${x.message.subject}`)).toEqual(['dead a', 'dead b', 'locked a', 'locked b']);
    expect(r.sent.flaky).toHaveLength(2);
  });

  it('a 4xx is not retried inside the cycle; a receiver removed from the fleet has its messages given up', async () => {
    calls.length = 0;
    const r = await flushOutbox(
      outbox.filter((x) => x.receiver !== 'locked'),
      {},
      {
        receivers: receivers.filter((x) => x.name === 'flaky'),
        open: async () => [{ name: 'flaky', sender: counting('flaky', () => new SendError('HTTP 404', false)) }],
        now: () => new Date('2026-05-01T10:00:00.000Z'),
        retryDelaysMs: [0, 0],
      },
    );
    expect(calls).toEqual(['flaky a']);
    expect(r.failed.map((x) => `${x.receiver} ${x.subject} ${x.error}`)).toEqual([
      "dead a receiver dead is no longer in the fleet's alerts",
      "dead b receiver dead is no longer in the fleet's alerts",
      'flaky a HTTP 404',
    ]);
    expect(r.outbox.map((x) => `${x.receiver} ${x.message.subject}`)).toEqual(['flaky a', 'flaky b']);
  });
});

/** The senders against servers that speak the real protocols. */
describe('senders on the wire', () => {
  const TOKEN = '123456:AAunit-test-token-never-print';
  let tg: TelegramServer;
  let hook: WebhookServer;
  const message = transitionMessage(
    {
      kind: 'resolve',
      at: '2026-05-01T10:09:00.000Z',
      reason: 'online: gateway ready',
      incident: { event: 'agent.down', subject: 'claw', host: 'h1', labels: {}, status: 'open', reason: 'r', since: '2026-05-01T10:00:00.000Z', cycles: 2, openedAt: '2026-05-01T10:01:00.000Z' },
    },
    'prod',
  );

  beforeAll(async () => {
    tg = await startTelegram({ token: TOKEN, chats: ['-100123'] });
    hook = await startWebhook();
  });
  afterAll(async () => {
    await tg?.close();
    await hook?.close();
  });

  it('telegram: sendMessage with the chat and text; errors in Telegram’s words, retryable or not, never with the token', async () => {
    await telegramSender({ apiBaseUrl: tg.url, botToken: TOKEN, chatId: '-100123' }).send(message);
    expect(tg.sent).toEqual([{ chatId: '-100123', text: '[prod] RESOLVED: agent down: claw on h1\nonline: gateway ready (open 8m)' }]);
    tg.failNext(1, { retryAfter: 7 });
    const flood = await telegramSender({ apiBaseUrl: tg.url, botToken: TOKEN, chatId: '-100123' })
      .send(message)
      .catch((e: SendError) => e);
    expect(flood).toMatchObject({ message: 'Telegram 429: Too Many Requests: retry after 7', retryable: true, retryAfterSeconds: 7 });
    const chat = await telegramSender({ apiBaseUrl: tg.url, botToken: TOKEN, chatId: '-1' })
      .send(message)
      .catch((e: SendError) => e);
    expect(chat).toMatchObject({ message: 'Telegram 400: Bad Request: chat not found', retryable: false });
    const token = await telegramSender({ apiBaseUrl: `${tg.url}/`, botToken: `${TOKEN}x`, chatId: '-100123' })
      .send(message)
      .catch((e: SendError) => e);
    expect(token).toMatchObject({ message: 'Telegram 401: Unauthorized', retryable: false });
    const down = await telegramSender({ apiBaseUrl: `http://127.0.0.1:${await freePort()}`, botToken: TOKEN, chatId: '-100123' })
      .send(message)
      .catch((e: SendError) => e);
    expect(down).toMatchObject({ message: 'could not reach the server: ECONNREFUSED', retryable: true });
    for (const e of [flood, chat, token, down]) expect(String((e as Error).message)).not.toContain('AAunit');
  });

  it('webhook: a Slack-compatible JSON POST; a 5xx is retryable, a 4xx is not', async () => {
    await webhookSender(hook.url).send(message);
    expect(hook.received[0]).toMatchObject({ text: message.text, status: 'resolved', event: 'agent.down', subject: 'claw', host: 'h1', fleet: 'prod', openedAt: '2026-05-01T10:01:00.000Z' });
    hook.failNext(1, 503);
    await expect(webhookSender(hook.url).send(message)).rejects.toMatchObject({ message: 'HTTP 503', retryable: true });
    hook.failNext(1, 404);
    await expect(webhookSender(hook.url).send(message)).rejects.toMatchObject({ message: 'HTTP 404', retryable: false });
  });
});
