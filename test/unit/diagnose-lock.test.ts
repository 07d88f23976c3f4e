import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/diagnose/analyze.js';
import { parseDiagnoseFacts } from '../../src/diagnose/diagnose-facts.js';
import type { DesiredAgent } from '../../src/desired/desired-state.js';
import type { ServiceKind } from '../../src/validate/manifests.js';

const agent: DesiredAgent = { name: 'bot', host: 'h1', labels: {}, stateDir: '.openclaw', port: 18789, config: {}, env: {}, ignore: [] };

/** diagnose.sh's output for an agent whose port is closed; `extra` lines go before `end`. */
const stdout = (extra: string[]) =>
  [
    'CLAWCTL-DIAGNOSE 1',
    'user claw 1000',
    'state 700 claw',
    'file openclaw.json 600 claw 120',
    'file .env 600 claw 80',
    'openclaw /usr/bin/openclaw',
    'validate-begin',
    '{"valid":true,"issues":[]}',
    'validate-end',
    'listen no',
    ...extra,
    'end',
  ].join('\n');

const diagnose = (service: ServiceKind, extra: string[]) => analyze({ agent, service, facts: parseDiagnoseFacts(stdout(extra)), redact: (t) => t });

describe('diagnose: the process that holds the gateway lock', () => {
  it('names a live lock holder that does not listen as the cause, not "no gateway process runs"', () => {
    // Its own log blames a channel's token too: the stuck process is still the cause.
    const log = ['log-begin /tmp/openclaw/openclaw-2026-12-01.log', '{"0":"telegram getUpdates: 401 Unauthorized","_meta":{"logLevelName":"ERROR"}}', 'log-end'];
    const r = analyze({ agent, service: 'process', facts: parseDiagnoseFacts(stdout(['lock 4242', ...log])), redact: (t) => t });
    const service = r.steps.find((s) => s.step === 'service')!;
    expect(service).toMatchObject({ status: 'fail', detail: expect.stringContaining('gateway process 4242 is alive and holds the gateway lock, but nothing listens on port 18789') });
    expect(r.steps.find((s) => s.step === 'gateway')).toMatchObject({ status: 'fail', detail: expect.stringContaining('gateway process 4242') });
    expect(JSON.stringify(r)).not.toContain('no gateway process runs');
    expect(r.cause).toMatchObject({ summary: expect.stringContaining('gateway process 4242 is alive and holds the gateway lock'), fix: expect.stringContaining('clawctl agents restart bot') });
    expect(r.cause!.fix).toContain('kill 4242');
  });

  it('says no gateway process runs only when none holds the lock', () => {
    expect(diagnose('process', []).steps.find((s) => s.step === 'service')).toMatchObject({ status: 'fail', detail: 'no gateway process runs for this user' });
  });

  it('names the holder beside a unit that systemd still shows as stopping', () => {
    const r = diagnose('systemd-user', ['lock 77', 'unit LoadState=loaded ActiveState=deactivating SubState=stop-sigterm Result=success ExecMainStatus=0 NRestarts=0 ']);
    expect(r.steps.find((s) => s.step === 'service')).toMatchObject({ status: 'fail', detail: expect.stringContaining('deactivating') });
    expect(r.steps.find((s) => s.step === 'gateway')).toMatchObject({ status: 'fail', detail: expect.stringContaining('gateway process 77 is alive and holds the gateway lock') });
  });
});

describe("diagnose: the host's config verdict", () => {
  it('keeps every issue, however many', () => {
    const issues = Array.from({ length: 30 }, (_, i) => ({ path: `bindings.${i}.agentId`, message: `Unknown agent id "g${i}" (not in agents.entries).` }));
    const facts = parseDiagnoseFacts(stdout([]).replace('{"valid":true,"issues":[]}', JSON.stringify({ valid: false, issues }, null, 2)));
    expect(facts.validate).toEqual({ valid: false, issues: issues.map((i) => `${i.path}: ${i.message}`) });
    const config = analyze({ agent, service: 'process', facts, redact: (t) => t }).steps.find((s) => s.step === 'config')!;
    expect(config.detail).toContain('bindings.29.agentId: Unknown agent id "g29"');
  });

  it("uses OpenClaw's stderr where stdout holds no verdict", () => {
    const out = stdout(['validate-stderr-begin', 'openclaw: Node 20.20.2: node:sqlite is unavailable; use 24.16+', 'validate-stderr-end']).replace('{"valid":true,"issues":[]}\n', '');
    expect(parseDiagnoseFacts(out).validate).toEqual({ valid: false, issues: ['openclaw: Node 20.20.2: node:sqlite is unavailable; use 24.16+'] });
  });
});
