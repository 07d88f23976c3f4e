import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentBranch, incidentId, parseIncidentId } from '../../src/alerts/incidents.js';
import { transitionMessage, type AlertMessage } from '../../src/alerts/message.js';
import { agentHookSender, agentPrompt } from '../../src/alerts/send-agent.js';
import { SendError } from '../../src/alerts/sender.js';
import type { DiagnoseResult } from '../../src/diagnose/analyze.js';

const TOKEN = 'hook-token-0123456789abcdef-never-print';

describe('incident ids', () => {
  it('name the event, subject and opening second, and read back; a branch takes them as they are', () => {
    const down = { event: 'agent.down' as const, subject: 'support-bot', since: '2026-12-01T21:00:00.000Z', openedAt: '2026-12-01T21:00:05.123Z' };
    expect(incidentId(down)).toBe('agent.down.support-bot.20261201t210005z');
    expect(parseIncidentId('agent.down.support-bot.20261201t210005z')).toEqual({ event: 'agent.down', subject: 'support-bot', agent: 'support-bot' });
    expect(incidentId({ event: 'policy.violation', subject: 'host/web-1', since: '2026-12-01T21:00:00Z' })).toBe('policy.violation.host.web-1.20261201t210000z');
    expect(parseIncidentId('policy.violation.host.web-1.20261201t210000z')).toEqual({ event: 'policy.violation', subject: 'host/web-1' });
    // An agent named like a kind is still an agent.
    expect(parseIncidentId('agent.down.host.20261201t210000z')).toEqual({ event: 'agent.down', subject: 'host', agent: 'host' });
    for (const bad of ['main', 'agent.down.X.20261201t210000z', 'agent.down.x.20261201t210000z/../../main', 'agent.down.x']) expect(parseIncidentId(bad), bad).toBeUndefined();
    expect(incidentBranch('agent.down.x.20261201t210000z')).toBe('clawctl/incident/agent.down.x.20261201t210000z');
  });
});

describe('the agent receiver: OpenClaw’s /hooks/agent', () => {
  let server: Server;
  let url: string;
  const received: { path: string; auth: string; idempotency: string; body: Record<string, unknown> }[] = [];
  let answer = { status: 200, body: '{"ok":true,"runId":"r1"}' };
  const diagnosis: DiagnoseResult = {
    agent: 'claw',
    host: 'h1',
    healthy: false,
    steps: [{ step: 'gateway', status: 'fail', detail: 'nothing listens on port 18789' }],
    cause: {
      id: 'gateway-mode-unset',
      summary: 'openclaw.json sets no `gateway.mode`',
      fix: 'set it',
      evidence: ['error Gateway start blocked'],
      patch: { set: ['agent/claw:spec.openclaw.config.gateway.mode=local'], unset: [] },
    },
  };
  const opened = (): AlertMessage => ({
    ...transitionMessage(
      {
        kind: 'open',
        at: '2026-12-01T21:00:05.000Z',
        reason: 'offline: no gateway listening on its port',
        incident: {
          event: 'agent.down',
          subject: 'claw',
          host: 'h1',
          labels: {},
          status: 'open',
          reason: 'offline',
          since: '2026-12-01T21:00:00.000Z',
          cycles: 2,
          openedAt: '2026-12-01T21:00:05.000Z',
        },
      },
      'prod',
    ),
    diagnosis,
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', auth: req.headers.authorization ?? '', idempotency: String(req.headers['idempotency-key'] ?? ''), body: JSON.parse(raw) as Record<string, unknown> });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts one agent turn to {path}/agent with the hook token as Bearer and the message id as idempotency key', async () => {
    const m = opened();
    await agentHookSender({ url: `${url}/`, path: '/ops-hooks/', token: TOKEN, agentId: 'operator' }).send(m);
    const got = received.at(-1)!;
    expect(got).toMatchObject({ path: '/ops-hooks/agent', auth: `Bearer ${TOKEN}`, idempotency: m.id });
    expect(got.body).toEqual({ message: agentPrompt(m), name: 'clawctl incident', agentId: 'operator', deliver: false, idempotencyKey: m.id });
    expect(JSON.stringify(got.body)).not.toContain(TOKEN);
  });

  it('the turn holds the incident, the diagnosis as JSON and what the agent may do', () => {
    const text = agentPrompt(opened());
    expect(text).toMatch(/^\[prod\] FIRING: agent down: claw on h1\n\nReason: offline: no gateway listening on its port\n/);
    expect(text).toContain('Incident: agent.down.claw.20261201t210005z');
    expect(text).toContain('"id": "gateway-mode-unset"');
    expect(text).toContain('You may read, diagnose and propose; nothing else.');
    expect(text).toContain('`clawctl diagnose claw --json`');
    expect(text).toContain('`clawctl propose --incident agent.down.claw.20261201t210005z --title TITLE');
    const resolved = agentPrompt({ ...opened(), status: 'resolved', diagnosis: undefined });
    expect(resolved).toContain('The incident resolved. There is nothing to do');
    expect(resolved).not.toContain('clawctl propose');
  });

  it("fails in OpenClaw's words: a refused token is final, a busy gateway is tried again; never with the token", async () => {
    const sender = agentHookSender({ url, path: '/hooks', token: TOKEN, agentId: 'main' });
    answer = { status: 401, body: 'Unauthorized' };
    const refused = await sender.send(opened()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SendError);
    expect(refused).toMatchObject({ message: 'OpenClaw hook 401: Unauthorized', retryable: false });
    answer = { status: 503, body: '{"ok":false,"error":"gateway_unavailable"}' };
    expect(await sender.send(opened()).catch((e: unknown) => e)).toMatchObject({ message: 'OpenClaw hook 503: gateway_unavailable', retryable: true });
    answer = { status: 400, body: '{"ok":false,"error":"agentId is not allowed"}' };
    const bad = (await sender.send(opened()).catch((e: unknown) => e)) as SendError;
    expect(bad).toMatchObject({ message: 'OpenClaw hook 400: agentId is not allowed', retryable: false });
    expect(bad.message).not.toContain(TOKEN);
    answer = { status: 200, body: '{"ok":true,"runId":"r2"}' };
  });
});
