import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/entry.js';
import { lastApplies } from '../../src/dashboard/last-apply.js';
import { FleetMetrics } from '../../src/dashboard/metrics.js';
import { secretAccessFor } from '../../src/dashboard/secret-access.js';
import { errorSnapshot, type DashboardSnapshot } from '../../src/dashboard/snapshot.js';
import type { AgentStatus } from '../../src/engine/status.js';
import { healthChart } from '../../src/history/health-buckets.js';
import type { HealthSample } from '../../src/history/health-history.js';
import { parsePrometheusText } from '../harness/prometheus-text.js';

const entry = (seq: number, action: AuditEntry['action'], target: string, result: string, details?: AuditEntry['details']): AuditEntry => ({
  v: 1,
  seq,
  time: `2026-05-01T10:0${seq}:00.000Z`,
  actor: 'user:ana@box',
  action,
  target,
  result,
  ...(details ? { details } : {}),
  prev: '',
  hash: '',
});

describe('the dashboard agent page and /metrics, pure parts', () => {
  it("cuts an agent's samples into equal buckets, gaps included, with its uptime and changes of state", () => {
    const s = (min: number, agent: string, state: HealthSample['state']): HealthSample => ({
      at: new Date(Date.UTC(2026, 4, 1, 10, min)).toISOString(),
      agent,
      host: 'h1',
      state,
      reason: state,
      drift: 0,
    });
    const chart = healthChart(
      [s(0, 'claw', 'online'), s(1, 'claw', 'offline'), s(45, 'claw', 'online'), s(46, 'side', 'offline')],
      'claw',
      new Date('2026-05-01T10:00:00Z'),
      new Date('2026-05-01T11:00:00Z'),
      4,
    );
    expect(chart.buckets.map((b) => [b.online, b.offline])).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [1, 0],
    ]);
    expect(chart.buckets[0]).toMatchObject({ start: '2026-05-01T10:00:00.000Z', end: '2026-05-01T10:15:00.000Z' });
    expect(chart).toMatchObject({
      samples: 3,
      transitions: [
        { from: 'online', to: 'offline' },
        { from: 'offline', to: 'online' },
      ],
    });
    expect(chart.uptime).toBeCloseTo(2 / 3);
  });

  it("keeps the secret reads and writes of the agent's own secrets, as location and purpose only", () => {
    const entries = [
      entry(1, 'secret.write', 'secrets/app.sops.yaml#token', 'ok', { operation: 'set' }),
      entry(2, 'secret.read', 'secrets/app.sops.yaml', 'ok', { for: 'apply' }),
      entry(3, 'secret.read', 'secrets/app.sops.yaml#other', 'ok', { for: 'get', revealed: true }),
      entry(4, 'secret.read', 'secrets/alerts.sops.yaml', 'ok', { for: 'alerts' }),
      entry(5, 'agent.apply', 'claw', 'ok'),
    ];
    expect(secretAccessFor(entries, ['secrets/app.sops.yaml#token'])).toEqual([
      { seq: 1, time: entries[0]!.time, actor: 'user:ana@box', action: 'secret.write', location: 'secrets/app.sops.yaml#token', purpose: 'set', result: 'ok' },
      { seq: 2, time: entries[1]!.time, actor: 'user:ana@box', action: 'secret.read', location: 'secrets/app.sops.yaml', purpose: 'apply', result: 'ok' },
    ]);
  });

  it("finds the last apply and each agent's, a refused sync not counted", () => {
    const text = [
      entry(1, 'agent.apply', 'claw', 'ok'),
      entry(2, 'apply', 'prod', 'applied'),
      entry(3, 'agent.apply', 'claw', 'rolled-back'),
      entry(4, 'apply', 'prod', 'partial'),
      entry(5, 'agent.apply', 'side', 'refused'),
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const last = lastApplies(`${text}\n{torn`);
    expect(last.fleet).toEqual({ time: '2026-05-01T10:04:00.000Z', result: 'partial' });
    expect([...last.agents]).toEqual([['claw', { time: '2026-05-01T10:03:00.000Z', result: 'rolled-back' }]]);
  });

  it('writes the Prometheus text format, and drops agents that left and figures of a fleet that could not be planned', async () => {
    const status = (agent: string, state: AgentStatus['state'], drift: number): AgentStatus => ({
      agent,
      host: 'h1',
      stateDir: '.openclaw',
      port: 1,
      state,
      reason: state,
      version: { pinned: '2026.9.6', running: '2026.9.6' },
      drift,
      observedAt: '',
    });
    const base = errorSnapshot('prod', { message: 'x', diagnostics: [] }, 30, new Date('2026-05-01T10:00:00Z'));
    const snap = (agents: AgentStatus[]): DashboardSnapshot => {
      const { error: _error, ...ok } = base;
      return {
        ...ok,
        hosts: [{ name: 'h1', labels: {}, reachable: true }],
        agents: agents.map((s) => ({ status: s, labels: {}, config: {}, envNames: [], secretRefs: [], pending: null, pendingText: null })),
      };
    };
    const m = new FleetMetrics();
    m.observe(snap([status('claw', 'degraded', 2), status('side', 'online', 0)]), 1.5);
    m.applies(lastApplies(JSON.stringify(entry(1, 'apply', 'prod', 'failed'))), ['claw']);
    let fams = parsePrometheusText((await m.page()).body);
    const get = (name: string, labels: Record<string, string> = {}) => fams.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(get('clawctl_agent_up', { agent: 'claw' })).toBe(1);
    expect(get('clawctl_agent_ready', { agent: 'claw' })).toBe(0);
    expect(get('clawctl_agent_state', { agent: 'claw', state: 'degraded' })).toBe(1);
    expect(get('clawctl_agent_drift_changes', { agent: 'claw' })).toBe(2);
    expect(get('clawctl_agent_info', { agent: 'side', pinned_version: '2026.9.6', running_version: '2026.9.6', installed_version: '' })).toBe(1);
    expect(get('clawctl_last_apply_status', { status: 'failed' })).toBe(1);
    expect(get('clawctl_last_apply_timestamp_seconds')).toBe(Date.parse('2026-05-01T10:01:00Z') / 1000);

    m.observe(snap([status('claw', 'online', 0)]), 0.7);
    fams = parsePrometheusText((await m.page()).body);
    expect(fams.get('clawctl_agent_up')!.samples.map((s) => s.labels.agent)).toEqual(['claw']);
    expect(fams.get('clawctl_reconcile_cycle_duration_seconds')!.samples.find((s) => s.name.endsWith('_count'))!.value).toBe(2);

    m.observe(base, 0.1);
    fams = parsePrometheusText((await m.page()).body);
    expect(fams.get('clawctl_agent_up')!.samples).toEqual([]);
    expect(get('clawctl_observation_success')).toBe(0);
  });

  it('the strict reader refuses what Prometheus would not take', () => {
    expect(() => parsePrometheusText('x 1\n')).toThrow(/no TYPE line/);
    expect(() => parsePrometheusText('# HELP x h\n# TYPE x gauge\nx{a="1",a="2"} 1\n')).toThrow(/twice/);
    expect(() => parsePrometheusText('# HELP x h\n# TYPE x gauge\nx{__a="1"} 1\n')).toThrow(/bad label name/);
    expect(() => parsePrometheusText('# HELP x h\n# TYPE x gauge\nx one\n')).toThrow(/not a float/);
    expect(() => parsePrometheusText('# HELP x h\n# TYPE x gauge\nx 1')).toThrow(/newline/);
    expect(() => parsePrometheusText('# HELP x h\n# TYPE x histogram\nx_bucket{le="1"} 2\nx_bucket{le="+Inf"} 1\nx_count 1\nx_sum 1\n')).toThrow(/fewer/);
  });
});
