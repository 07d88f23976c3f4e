import { describe, expect, it } from 'vitest';
import { renderHistory, renderStatusTable } from '../../src/cli/render-status.js';
import type { AgentStatus } from '../../src/engine/status.js';

const agent = (name: string, extra: Partial<AgentStatus>): AgentStatus => ({
  agent: name,
  host: 'h1',
  stateDir: '.openclaw',
  port: 18789,
  state: 'online',
  reason: 'gateway ready',
  version: { running: '2026.9.6' },
  drift: 0,
  observedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

describe('status as people read it', () => {
  it("shows each agent's cost today / this month and whether it is over a budget, then each budget and each unknown cost", () => {
    const text = renderStatusTable([
      agent('support', {
        cost: { state: 'known', day: '2026-12-01', todayUsd: 7.2, month: '2026-12', monthUsd: 40.5, unpricedEntries: 2 },
        budgets: [{ policy: 'spend', rule: 'cap', period: 'daily', limitUsd: 5, spentUsd: 7.2, over: true, blocksTierRaise: true }],
      }),
      agent('sales', { cost: { state: 'unknown', reason: 'host h1: openclaw gateway usage-cost timed out' } }),
      agent('ops', {}),
    ]);
    expect(text.split('\n')).toEqual([
      'AGENT    HOST  STATE   VERSION   DRIFT    COST TODAY / MONTH  BUDGET  DETAIL',
      'ops      h1    online  2026.9.6  in sync  -                   -       gateway ready',
      'sales    h1    online  2026.9.6  in sync  unknown             -       gateway ready',
      'support  h1    online  2026.9.6  in sync  $7.20 / $40.50      OVER    gateway ready',
      '',
      'Cost and budgets:',
      '  sales: cost unknown (host h1: openclaw gateway usage-cost timed out)',
      "  support: 2 usage entries this month have no price in OpenClaw's model cost table (counted as $0)",
      '  support: spend/cap daily budget $5.00: spent $7.20 (over); model tier raises are refused',
    ]);
  });

  it('adds the response time of its gateway to the window of status --since', () => {
    const text = renderHistory([{ agent: 'support', samples: 3, uptime: 1, first: 'a', last: 'b', transitions: [], responseMs: { median: 9, max: 120 } }], '24h');
    expect(text).toBe('\nOver the last 24h:\n  support: up 100.0% of 3 checks (a … b), 0 changes of state, /readyz answered in 9 ms (median; slowest 120 ms)');
  });
});
