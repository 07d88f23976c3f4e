import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putFigures, type MetricFigure } from '../../src/aws/cloudwatch.js';
import { cloudwatchFigures } from '../../src/dashboard/cloudwatch-figures.js';
import type { DashboardSnapshot } from '../../src/dashboard/snapshot.js';
import { startCloudWatch, type CloudWatchServer } from './cloudwatch.js';

/**
 * clawctl's figures through the real @aws-sdk/client-cloudwatch to the local CloudWatch: its
 * wire protocol, its SigV4 check and its limits. The SDK reads region, credentials and the
 * endpoint from the environment, as it does against AWS.
 */
describe('CloudWatch PutMetricData', () => {
  let cw: CloudWatchServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    cw = await startCloudWatch({ credentials: { AKIDCLOUDWATCH: 'cloudwatch-test-secret' } });
    Object.assign(process.env, { AWS_ENDPOINT_URL: cw.url, AWS_REGION: cw.region, AWS_ACCESS_KEY_ID: 'AKIDCLOUDWATCH', AWS_SECRET_ACCESS_KEY: 'cloudwatch-test-secret' });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  });
  afterAll(async () => {
    process.env = saved;
    await cw?.close();
  });

  const snapshot: DashboardSnapshot = {
    fleet: 'acme',
    observedAt: '2026-12-01T10:00:00.000Z',
    refreshSeconds: 60,
    agents: [
      {
        status: {
          agent: 'support',
          host: 'h1',
          stateDir: '.openclaw',
          port: 18789,
          state: 'online',
          reason: 'gateway ready',
          version: {},
          drift: 2,
          responseMs: 12,
          cost: { state: 'known', day: '2026-12-01', todayUsd: 7.2, month: '2026-12', monthUsd: 40, unpricedEntries: 0 },
          budgets: [{ policy: 'spend', rule: 'cap', period: 'daily', limitUsd: 5, spentUsd: 7.2, over: true, blocksTierRaise: false }],
          observedAt: '2026-12-01T10:00:00.000Z',
        },
        labels: {},
        config: {},
        envNames: [],
        secretRefs: [],
        pending: null,
        pendingText: null,
      },
    ],
    hosts: [{ name: 'h1', labels: {}, reachable: true }],
    unreachable: [],
    policy: { violations: [], optOuts: [], approved: [] },
    summary: { add: 0, change: 1, destroy: 0, files: 1, versions: 0, hosts: 0, adopt: 0, forget: 0 },
  } as DashboardSnapshot;

  it("puts a cycle's figures, the same as /metrics, signed, at the cycle's time", async () => {
    await putFigures('Clawctl', cloudwatchFigures(snapshot, 1.5), new Date(snapshot.observedAt));
    const by = (name: string, dims: Record<string, string> = {}) => cw.data.find((d) => d.name === name && Object.entries(dims).every(([k, v]) => d.dimensions[k] === v));
    expect(by('AgentCostUsd', { Agent: 'support', Period: 'day' })).toEqual({
      namespace: 'Clawctl',
      name: 'AgentCostUsd',
      dimensions: { Fleet: 'acme', Agent: 'support', Host: 'h1', Period: 'day' },
      value: 7.2,
      unit: 'None',
      timestamp: Date.parse(snapshot.observedAt) / 1000,
    });
    expect(by('AgentCostUsd', { Period: 'month' })?.value).toBe(40);
    expect(by('AgentBudgetExceeded', { Policy: 'spend', Rule: 'cap', Period: 'daily' })?.value).toBe(1);
    expect(by('AgentResponseTime')).toMatchObject({ value: 0.012, unit: 'Seconds' });
    expect(by('AgentUp')?.value).toBe(1);
    expect(by('AgentDriftChanges')).toMatchObject({ value: 2, unit: 'Count' });
    expect(by('HostReachable', { Host: 'h1' })?.value).toBe(1);
    expect(by('ReconcileCycleDuration')).toMatchObject({ value: 1.5, unit: 'Seconds' });
    expect(cw.refused).toEqual([]);
  });

  it('splits more than 1000 figures into calls AWS takes (the large ones gzip-compressed), and says why AWS refuses one', async () => {
    const many: MetricFigure[] = Array.from({ length: 2100 }, (_, i) => ({ name: 'AgentUp', dimensions: { Agent: `a${i}` }, value: 1, unit: 'None' }));
    const before = cw.puts.length;
    await putFigures('Clawctl', many, new Date());
    expect(cw.puts.slice(before).map((p) => p.figures)).toEqual([1000, 1000, 100]);
    expect(cw.puts.slice(before, before + 2).every((p) => p.gzip)).toBe(true);
    await expect(putFigures('AWS/EC2', many.slice(0, 1), new Date())).rejects.toThrow('The value AWS/EC2 for parameter Namespace is invalid.');
    expect(cw.refused).toEqual(['InvalidParameterValue']);
  });

  it('refuses a request signed with a wrong key', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      // A fresh client reads the changed credentials.
      const { CloudWatchClient, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
      const c = new CloudWatchClient({});
      await expect(c.send(new PutMetricDataCommand({ Namespace: 'Clawctl', MetricData: [{ MetricName: 'AgentUp', Value: 1 }] }))).rejects.toThrow(/signature we calculated does not match/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = 'cloudwatch-test-secret';
    }
    expect(cw.refused.at(-1)).toBe('InvalidSignatureException');
  });
});
