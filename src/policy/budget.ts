import type { DesiredAgent } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { formatUsd, type AgentCost } from '../openclaw/usage-cost.js';
import type { Plan } from '../plan/plan.js';
import type { BudgetRule, Manifests } from '../validate/manifests.js';
import type { CompiledPolicies, CompiledRule } from './compile.js';
import { globMatch, primaryModel } from './openclaw-config.js';
import { selects } from './selector.js';
import { agentSubject, configPos } from './subject.js';
import { toViolation, type Violation } from './violation.js';

/**
 * Budgets (`budget` rules): what each agent spent, from OpenClaw's own usage cost, against the
 * limits of the policies that select it. Pure: the cost was observed before.
 */
export interface BudgetStanding {
  policy: string;
  rule: string;
  period: 'daily' | 'monthly';
  limitUsd: number;
  /** Spent in the period (today, this month), or null when the cost is unknown. */
  spentUsd: number | null;
  /** Over the limit (spent more than it): false when the cost is unknown. */
  over: boolean;
  /** An apply that raises the agent's model tier is refused while it is over. */
  blocksTierRaise: boolean;
}

type Budgeted = Pick<DesiredAgent, 'name' | 'host' | 'labels'>;

interface BudgetRuleOf {
  policy: string;
  rule: CompiledRule & { rule: { budget: BudgetRule } };
}

function budgetRulesFor(compiled: CompiledPolicies, agent: Budgeted, hostLabels: Readonly<Record<string, string>>): BudgetRuleOf[] {
  return compiled.policies.flatMap((p) =>
    selects(p.spec.match, agent.labels) || selects(p.spec.match, hostLabels)
      ? p.rules.filter((r): r is BudgetRuleOf['rule'] => 'budget' in r.rule && selects(r.rule.budget.selector, agent.labels)).map((rule) => ({ policy: p.name, rule }))
      : [],
  );
}

/** Per agent, each limit that applies to it and where it stands; an agent with none is absent. */
export function budgetStandings(
  compiled: CompiledPolicies,
  agents: readonly Budgeted[],
  hostLabels: ReadonlyMap<string, Readonly<Record<string, string>>>,
  costs: ReadonlyMap<string, AgentCost | undefined>,
): Map<string, BudgetStanding[]> {
  const out = new Map<string, BudgetStanding[]>();
  for (const agent of agents) {
    const cost = costs.get(agent.name);
    const standings = budgetRulesFor(compiled, agent, hostLabels.get(agent.host) ?? {}).flatMap(({ policy, rule }) => {
      const b = rule.rule.budget;
      const periods: [BudgetStanding['period'], number | undefined, number | undefined][] = [
        ['daily', b.daily, cost?.state === 'known' ? cost.todayUsd : undefined],
        ['monthly', b.monthly, cost?.state === 'known' ? cost.monthUsd : undefined],
      ];
      return periods.flatMap(([period, limitUsd, spent]): BudgetStanding[] =>
        limitUsd === undefined
          ? []
          : [{ policy, rule: rule.rule.name, period, limitUsd, spentUsd: spent ?? null, over: spent !== undefined && spent > limitUsd, blocksTierRaise: b.blockTierRaise === true }],
      );
    });
    if (standings.length > 0) out.set(agent.name, standings);
  }
  return out;
}

/** `daily budget $5.00: spent $7.20` (policy/rule named by the caller). */
export function describeStanding(s: BudgetStanding): string {
  return `${s.period} budget ${formatUsd(s.limitUsd)}: ${s.spentUsd === null ? 'spend unknown' : `spent ${formatUsd(s.spentUsd)}`}${s.over ? ' (over)' : ''}`;
}

/**
 * A tier raise: the agent's default model (agents.defaults.model, or its primary) as planned
 * is a later entry of the rule's `models` (cheapest first) than the one on its host now; a
 * model in no entry counts as above them all, so a change to an unlisted model is a raise too
 * (and, without `models`, any change of the default model). An agent that is new, or whose
 * config on the host names no default model, has no tier to raise.
 */
export function isTierRaise(from: string, to: string, models: readonly string[] | undefined): boolean {
  if (from === to) return false;
  const tier = (m: string) => {
    const i = (models ?? []).findIndex((p) => globMatch(p, m));
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const [a, b] = [tier(from), tier(to)];
  return b > a || (a === Number.POSITIVE_INFINITY && b === Number.POSITIVE_INFINITY);
}

export interface TierRaiseInput {
  compiled: CompiledPolicies;
  manifests: Manifests;
  desired: { agents: readonly DesiredAgent[] };
  plan: Plan;
  observed: ReadonlyMap<string, ObservedAgent>;
  standings: ReadonlyMap<string, BudgetStanding[]>;
}

/** Pure: a violation for each planned tier raise of an agent over a budget that blocks them. */
export function tierRaiseViolations({ compiled, manifests, desired, plan, observed, standings }: TierRaiseInput): Violation[] {
  const rendered = new Map(desired.agents.map((a) => [a.name, a]));
  const sourced = new Map(manifests.agents.map((a) => [a.manifest.metadata.name, a]));
  return plan.changes.flatMap((change) => {
    // One violation per rule, however many of its periods are over.
    const over = [...new Map((standings.get(change.agent) ?? []).filter((s) => s.over && s.blocksTierRaise).map((s) => [`${s.policy}/${s.rule}`, s])).values()];
    const agent = rendered.get(change.agent);
    const source = sourced.get(change.agent);
    const onHost = observed.get(change.agent)?.config?.value;
    if (over.length === 0 || !agent || !source || !onHost) return [];
    const from = primaryModel(onHost)?.value;
    const to = primaryModel(agent.config);
    if (!from || !to) return [];
    return over.flatMap((s) => {
      const rule = compiled.policies.find((p) => p.name === s.policy)?.rules.find((r) => r.rule.name === s.rule);
      if (!rule || !('budget' in rule.rule) || !isTierRaise(from, to.value, rule.rule.budget.models)) return [];
      const pos = configPos(agentSubject(source, manifests.fleet, agent), to.path);
      const detail = `model "${from}" → "${to.value}" raises the model tier while over its ${describeStanding(s)}`;
      return [toViolation(s.policy, rule.rule, { kind: 'Agent', name: change.agent }, { pos, value: to.value, detail })];
    });
  });
}
