import type { MetricFigure } from '../aws/cloudwatch.js';
import type { DashboardSnapshot } from './snapshot.js';

/**
 * Pure: one cycle's figures for CloudWatch, the same as /metrics serves (src/dashboard/metrics.ts),
 * named as CloudWatch names metrics and keyed by Fleet, Agent, Host and Period dimensions. No
 * secret is a dimension or a value. A fleet that could not be planned sends only that it could not.
 */
export function cloudwatchFigures(snapshot: DashboardSnapshot, cycleSeconds: number): MetricFigure[] {
  const fleet = { Fleet: snapshot.fleet };
  const out: MetricFigure[] = [
    { name: 'ObservationSuccess', dimensions: fleet, value: snapshot.error ? 0 : 1, unit: 'None' },
    { name: 'ReconcileCycleDuration', dimensions: fleet, value: cycleSeconds, unit: 'Seconds' },
  ];
  if (snapshot.error) return out;
  out.push({ name: 'PolicyViolations', dimensions: fleet, value: snapshot.policy.violations.length, unit: 'Count' });
  for (const h of snapshot.hosts) out.push({ name: 'HostReachable', dimensions: { ...fleet, Host: h.name }, value: h.reachable ? 1 : 0, unit: 'None' });
  for (const { status: s } of snapshot.agents) {
    const who = { ...fleet, Agent: s.agent, Host: s.host };
    out.push(
      { name: 'AgentUp', dimensions: who, value: s.state === 'online' || s.state === 'degraded' ? 1 : 0, unit: 'None' },
      { name: 'AgentReady', dimensions: who, value: s.state === 'online' ? 1 : 0, unit: 'None' },
      { name: 'AgentDriftChanges', dimensions: who, value: s.drift, unit: 'Count' },
    );
    if (s.responseMs !== undefined) out.push({ name: 'AgentResponseTime', dimensions: who, value: s.responseMs / 1000, unit: 'Seconds' });
    if (s.cost?.state === 'known') {
      out.push(
        { name: 'AgentCostUsd', dimensions: { ...who, Period: 'day' }, value: s.cost.todayUsd, unit: 'None' },
        { name: 'AgentCostUsd', dimensions: { ...who, Period: 'month' }, value: s.cost.monthUsd, unit: 'None' },
      );
    }
    for (const b of s.budgets ?? []) {
      if (b.spentUsd !== null)
        out.push({ name: 'AgentBudgetExceeded', dimensions: { ...fleet, Agent: s.agent, Policy: b.policy, Rule: b.rule, Period: b.period }, value: b.over ? 1 : 0, unit: 'None' });
    }
  }
  return out;
}
