import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cycleFindings } from '../../src/alerts/findings.js';
import { renderDesired } from '../../src/desired/render.js';
import { agentStatuses } from '../../src/engine/status.js';
import { loadFleet } from '../../src/load/load-fleet.js';
import type { ObservedAgent, ObservedState } from '../../src/observe/observed-state.js';
import type { AgentCost } from '../../src/openclaw/usage-cost.js';
import { PLAN_FORMAT_VERSION, type AgentPlan, type Plan } from '../../src/plan/plan.js';
import { budgetStandings, isTierRaise, tierRaiseViolations } from '../../src/policy/budget.js';
import { compilePolicies } from '../../src/policy/compile.js';
import { formatViolation } from '../../src/policy/violation.js';
import { validateFleet } from '../../src/validate/validate-fleet.js';

const root = mkdtempSync(join(tmpdir(), 'clawctl-budget-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'fleet.yaml': 'apiVersion: clawctl.dev/v1\nkind: Fleet\nmetadata: {name: acme}\nspec:\n  openclaw: {version: 2026.9.6}\n',
  'hosts.yaml': 'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h1}\nspec: {local: {home: ./h1}}\n',
  'agents.yaml': [
    'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: support, labels: {team: support}}\nspec:\n  host: h1\n  openclaw:\n    config:\n      agents: {defaults: {model: {primary: anthropic/claude-opus-4-6}}}\n',
    'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: sales, labels: {team: sales}}\nspec:\n  host: h1\n  openclaw:\n    profile: sales\n    config:\n      gateway: {port: 19002}\n      agents: {defaults: {model: openai/gpt-5.1}}\n',
  ].join('---\n'),
  'policy.yaml': [
    'apiVersion: clawctl.dev/v1',
    'kind: Policy',
    'metadata: {name: spend}',
    'spec:',
    '  rules:',
    '    - name: support-daily',
    '      budget:',
    '        selector: {matchLabels: {team: support}}',
    '        daily: 5',
    '        monthly: 100',
    '        models: [openai/gpt-5-mini, "anthropic/claude-sonnet-*", "anthropic/claude-opus-*"]',
    '        blockTierRaise: true',
    '    - name: everyone-monthly',
    '      budget: {monthly: 50}',
    '',
  ].join('\n'),
};

async function fleet() {
  const cwd = join(root, 'f');
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(cwd, 'fleet', path)), { recursive: true });
    writeFileSync(join(cwd, 'fleet', path), text);
  }
  const loaded = await loadFleet(join(cwd, 'fleet'), cwd);
  const manifests = await validateFleet(loaded);
  return { manifests, desired: renderDesired(loaded, manifests), compiled: await compilePolicies(manifests.policies) };
}

const cost = (todayUsd: number, monthUsd: number): AgentCost => ({ state: 'known', day: '2026-12-01', todayUsd, month: '2026-12', monthUsd, unpricedEntries: 0 });

function plan(fleetName: string, changes: AgentPlan[]): Plan {
  return {
    format_version: PLAN_FORMAT_VERSION,
    clawctl_version: 'test',
    created_at: '2026-12-01T00:00:00.000Z',
    fleet: { name: fleetName, dir: 'fleet' },
    changes,
    hosts: [],
    waves: [],
    unreachable: [],
    config_checks: [],
    summary: { add: 0, change: 1, destroy: 0, files: 1, versions: 0, hosts: 0, adopt: 0, forget: 0 },
    fingerprint: { fleet: '', files: {}, agents: {}, writes: {} },
    policy: { violations: [], optOuts: [], approved: [] },
  } as Plan;
}

const onHost = (name: string, primary: string, c?: AgentCost): ObservedAgent => ({
  name,
  host: 'h1',
  config: { mode: '600', value: { agents: { defaults: { model: { primary } } } } },
  env: null,
  health: { state: 'ready' },
  fingerprint: '',
  ...(c ? { cost: c } : {}),
});

describe('budgets', () => {
  it('places each agent against the budgets that select it, and flags the ones over', async () => {
    const { compiled, desired } = await fleet();
    const costs = new Map([
      ['support', cost(7.2, 40)],
      ['sales', { state: 'unknown', reason: 'host h1: its gateway is not running' } as AgentCost],
    ]);
    const standings = budgetStandings(compiled, desired.agents, new Map([['h1', {}]]), costs);
    expect(standings.get('support')).toEqual([
      { policy: 'spend', rule: 'support-daily', period: 'daily', limitUsd: 5, spentUsd: 7.2, over: true, blocksTierRaise: true },
      { policy: 'spend', rule: 'support-daily', period: 'monthly', limitUsd: 100, spentUsd: 40, over: false, blocksTierRaise: true },
      { policy: 'spend', rule: 'everyone-monthly', period: 'monthly', limitUsd: 50, spentUsd: 40, over: false, blocksTierRaise: false },
    ]);
    // An unknown cost is no verdict: not over, and shown as unknown.
    expect(standings.get('sales')).toEqual([{ policy: 'spend', rule: 'everyone-monthly', period: 'monthly', limitUsd: 50, spentUsd: null, over: false, blocksTierRaise: false }]);
  });

  it.each([
    ['a later tier', 'openai/gpt-5-mini', 'anthropic/claude-opus-4-6', true],
    ['a glob tier', 'anthropic/claude-sonnet-4-5', 'anthropic/claude-opus-4-6', true],
    ['a cheaper tier', 'anthropic/claude-opus-4-6', 'openai/gpt-5-mini', false],
    ['the same tier', 'anthropic/claude-sonnet-4-5', 'anthropic/claude-sonnet-4-6', false],
    ['a listed model to an unlisted one', 'openai/gpt-5-mini', 'openai/gpt-5.1', true],
    ['an unlisted model to a listed one', 'openai/gpt-5.1', 'openai/gpt-5-mini', false],
    ['no change', 'openai/gpt-5.1', 'openai/gpt-5.1', false],
  ])('a tier raise: %s', (_, from, to, raise) => {
    expect(isTierRaise(from, to, ['openai/gpt-5-mini', 'anthropic/claude-sonnet-*', 'anthropic/claude-opus-*'])).toBe(raise);
  });

  it('refuses a planned tier raise of an agent over a blocking budget, at the model in its manifest; not one under it', async () => {
    const { compiled, desired, manifests } = await fleet();
    const p = plan('acme', [{ agent: 'support', host: 'h1', stateDir: '.openclaw', actions: [] }]);
    const observed = new Map([['support', onHost('support', 'anthropic/claude-sonnet-4-5')]]);
    const over = budgetStandings(compiled, desired.agents, new Map(), new Map([['support', cost(7.2, 40)]]));
    expect(tierRaiseViolations({ compiled, manifests, desired, plan: p, observed, standings: over }).map(formatViolation)).toEqual([
      'spend/support-daily: agent support (fleet/agents.yaml:8:44): model "anthropic/claude-sonnet-4-5" → "anthropic/claude-opus-4-6" raises the model tier while over its daily budget $5.00: spent $7.20 (over)',
    ]);
    const under = budgetStandings(compiled, desired.agents, new Map(), new Map([['support', cost(1, 40)]]));
    expect(tierRaiseViolations({ compiled, manifests, desired, plan: p, observed, standings: under })).toEqual([]);
  });

  it('shows in status, and opens budget.crossed while over (and only when the cost is known)', async () => {
    const { compiled, desired } = await fleet();
    const observed: ObservedState = {
      hosts: [
        {
          host: 'h1',
          ok: true,
          openclaw: {},
          agents: [onHost('support', 'x', cost(7.2, 40)), onHost('sales', 'y', { state: 'unknown', reason: 'r' })],
          managed: [],
          platform: { installs: [], missingTools: [] },
        },
      ],
    };
    const costs = new Map(observed.hosts.flatMap((h) => (h.ok ? h.agents.map((a) => [a.name, a.cost] as const) : [])));
    const standings = budgetStandings(compiled, desired.agents, new Map(), costs);
    const p = plan('acme', []);
    const statuses = agentStatuses(desired, observed, p, new Date('2026-12-01T10:00:00Z'), standings);
    expect(statuses.map((s) => [s.agent, s.cost?.state, s.budgets?.some((b) => b.over)])).toEqual([
      ['support', 'known', true],
      ['sales', 'unknown', false],
    ]);
    const budget = cycleFindings({ desired, plan: p, statuses }).filter((f) => f.event === 'budget.crossed');
    expect(budget.map((f) => [f.subject, f.firing, f.reason])).toEqual([['support', true, 'spend/support-daily: daily budget $5.00: spent $7.20 (over)']]);
    // A new day: under every budget again, so the incident resolves.
    const under = budgetStandings(compiled, desired.agents, new Map(), new Map([['support', cost(0.5, 40.5)]]));
    const resolved = cycleFindings({ desired, plan: p, statuses: agentStatuses(desired, observed, p, new Date('2026-12-02T10:00:00Z'), under) }).filter((f) => f.event === 'budget.crossed');
    expect(resolved.map((f) => [f.subject, f.firing])).toEqual([['support', false]]);
  });
});
