import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/engine/status.js';
import { healthChart } from '../../src/history/health-buckets.js';
import { parseWindow, readHealth, recordHealth, summarizeHealth, type HealthSample } from '../../src/history/health-history.js';

describe('health history', () => {
  const root = mkdtempSync(join(tmpdir(), 'clawctl-history-'));
  execFileSync('git', ['init', '-q', root]);
  mkdirSync(join(root, 'fleet'));
  const fleetDir = join(root, 'fleet');
  const dir = join(root, '.clawctl', 'state', 'health');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const status = (agent: string, state: AgentStatus['state'], reason: string): AgentStatus => ({
    agent,
    host: 'h1',
    stateDir: '.openclaw',
    port: 1,
    state,
    reason,
    version: { installed: '2026.9.6' },
    drift: 0,
    observedAt: '',
  });

  it('summarizes uptime over the samples and each change of state, per agent asked for', () => {
    const s = (at: string, agent: string, state: HealthSample['state'], reason: string = state): HealthSample => ({ at: `2026-05-01T10:${at}:00.000Z`, agent, host: 'h1', state, reason, drift: 0 });
    const samples = [
      s('00', 'claw', 'online'),
      s('05', 'claw', 'offline', 'no gateway listening on its port'),
      s('10', 'claw', 'offline'),
      s('15', 'claw', 'online', 'gateway ready'),
      s('05', 'side', 'online'),
    ];
    expect(summarizeHealth(samples, ['claw', 'side', 'new'])).toEqual([
      {
        agent: 'claw',
        samples: 4,
        uptime: 0.5,
        first: '2026-05-01T10:00:00.000Z',
        last: '2026-05-01T10:15:00.000Z',
        transitions: [
          { at: '2026-05-01T10:05:00.000Z', from: 'online', to: 'offline', reason: 'no gateway listening on its port' },
          { at: '2026-05-01T10:15:00.000Z', from: 'offline', to: 'online', reason: 'gateway ready' },
        ],
      },
      { agent: 'side', samples: 1, uptime: 1, first: '2026-05-01T10:05:00.000Z', last: '2026-05-01T10:05:00.000Z', transitions: [] },
      { agent: 'new', samples: 0, uptime: 0, transitions: [] },
    ]);
  });

  it('records a day file per day, reads back the window (a torn line skipped), and deletes days past the retention', async () => {
    await recordHealth(fleetDir, [status('claw', 'online', 'gateway ready')], new Date('2026-05-01T23:59:00.000Z'), 3);
    await recordHealth(fleetDir, [status('claw', 'offline', 'no gateway listening on its port')], new Date('2026-05-02T00:01:00.000Z'), 3);
    appendFileSync(join(dir, '2026-05-02.jsonl'), '{"at":"2026-05-02T00:02');
    expect(readdirSync(dir).sort()).toEqual(['2026-05-01.jsonl', '2026-05-02.jsonl']);
    const back = await readHealth(fleetDir, new Date('2026-05-01T23:00:00.000Z'));
    expect(back.map((s) => `${s.at} ${s.state} ${s.version}`)).toEqual(['2026-05-01T23:59:00.000Z online 2026.9.6', '2026-05-02T00:01:00.000Z offline 2026.9.6']);
    expect(await readHealth(fleetDir, new Date('2026-05-02T00:00:00.000Z'))).toHaveLength(1);
    writeFileSync(join(dir, 'notes.txt'), 'kept: not a day file');
    await recordHealth(fleetDir, [status('claw', 'online', 'gateway ready')], new Date('2026-05-05T12:00:00.000Z'), 3);
    expect(readdirSync(dir).sort()).toEqual(['2026-05-02.jsonl', '2026-05-05.jsonl', 'notes.txt']);
  });

  it("records the gateway's response time, and gives its median and slowest over a window and per chart bar", async () => {
    const at = (m: string) => new Date(`2026-06-01T10:${m}:00.000Z`);
    for (const [m, ms] of [
      ['00', 4],
      ['01', 9],
      ['02', 120],
    ] as const)
      await recordHealth(fleetDir, [{ ...status('timed', 'online', 'gateway ready'), responseMs: ms }], at(m));
    await recordHealth(fleetDir, [status('timed', 'offline', 'no gateway listening on its port')], at('03'));
    const back = await readHealth(fleetDir, at('00'));
    expect(back.map((s) => s.responseMs)).toEqual([4, 9, 120, undefined]);
    expect(summarizeHealth(back, ['timed'])[0]!.responseMs).toEqual({ median: 9, max: 120 });
    const chart = healthChart(back, 'timed', at('00'), at('04'), 2);
    expect(chart.responseMs).toEqual({ median: 9, max: 120 });
    expect(chart.buckets.map((b) => b.slowestMs)).toEqual([9, 120]);
  });

  it('reads windows as a person writes them', () => {
    expect([parseWindow('24h'), parseWindow('30m'), parseWindow('7d'), parseWindow('90s'), parseWindow('1w'), parseWindow('h')]).toEqual([
      86_400_000,
      1_800_000,
      604_800_000,
      90_000,
      undefined,
      undefined,
    ]);
  });
});
