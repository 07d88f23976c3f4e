import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatUsd, parseUsageCost, type AgentCost } from '../../src/openclaw/usage-cost.js';

/** What `openclaw gateway usage-cost --json` printed (real ones from OpenClaw 2026.9.6's gateway, and junk a host could print). */
const real = (name: string) => readFileSync(new URL(`../fixtures/usage-cost/${name}`, import.meta.url), 'utf8');
const day = (date: string, totalCost: number, missingCostEntries = 0) => ({ date, totalCost, missingCostEntries });

const cases: { name: string; stdout: string; expected: AgentCost }[] = [
  {
    name: 'a real answer: one turn today (12000 in at $3/M, 800 out at $15/M)',
    stdout: real('real-fresh-2026.9.6.json'),
    expected: { state: 'known', day: '2026-12-01', todayUsd: 0.048, month: '2026-12', monthUsd: 0.048, unpricedEntries: 0 },
  },
  {
    name: "a real answer while OpenClaw's usage cache was still filling: partial",
    stdout: real('real-refreshing-2026.9.6.json'),
    expected: { state: 'known', day: '2026-12-01', todayUsd: 0, month: '2026-12', monthUsd: 0, unpricedEntries: 0, partial: true },
  },
  {
    name: 'the month is the calendar month of the last day: earlier days of another month are not in it',
    stdout: JSON.stringify({ daily: [day('2026-11-30', 9), day('2026-12-01', 0.1), day('2026-12-02', 0.2, 3)], cacheStatus: { status: 'fresh' } }),
    expected: { state: 'known', day: '2026-12-02', todayUsd: 0.2, month: '2026-12', monthUsd: 0.3, unpricedEntries: 3 },
  },
  {
    name: 'a warning line before the JSON',
    stdout: `Warning: usage totals may be incomplete\n${JSON.stringify({ daily: [day('2026-12-01', 1.5)] })}`,
    expected: { state: 'known', day: '2026-12-01', todayUsd: 1.5, month: '2026-12', monthUsd: 1.5, unpricedEntries: 0 },
  },
  { name: 'not JSON', stdout: 'Segmentation fault\n', expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered something that is not JSON: "Segmentation fault"' } },
  { name: 'empty', stdout: '', expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered something that is not JSON: ""' } },
  { name: 'JSON of another shape', stdout: '{"ok":true}', expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered JSON without its daily totals' } },
  { name: 'a list', stdout: '[1,2]', expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered JSON without its daily totals' } },
  {
    name: 'a negative cost',
    stdout: JSON.stringify({ daily: [day('2026-12-01', -1)] }),
    expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered a day without a date and a cost' },
  },
  {
    name: 'a cost as text',
    stdout: JSON.stringify({ daily: [{ date: '2026-12-01', totalCost: '5' }] }),
    expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered a day without a date and a cost' },
  },
  {
    name: 'a date that is not one',
    stdout: JSON.stringify({ daily: [day('$(rm -rf ~)', 1)] }),
    expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered a day without a date and a cost' },
  },
  { name: 'no day at all', stdout: JSON.stringify({ daily: [] }), expected: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost answered no day' } },
];

describe("OpenClaw's usage cost", () => {
  it.each(cases)('$name', ({ stdout, expected }) => {
    expect(parseUsageCost(stdout, 'h1')).toEqual(expected);
  });

  it('shows dollars to the cent, and a spend below a cent as such', () => {
    expect([formatUsd(0), formatUsd(0.048), formatUsd(0.004), formatUsd(12.3)]).toEqual(['$0.00', '$0.05', '$0.004', '$12.30']);
  });
});
