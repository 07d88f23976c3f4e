import { Gauge, Histogram, Registry } from 'prom-client';
import type { AgentState } from '../engine/status.js';
import type { LastApplies } from './last-apply.js';
import type { DashboardSnapshot } from './snapshot.js';

const STATES: readonly AgentState[] = ['online', 'degraded', 'offline', 'unknown'];
/** The results an `apply` entry can carry (ApplyResult.status). */
const APPLY_RESULTS = ['applied', 'partial', 'failed', 'nothing-to-do'] as const;

/** What the dashboard's /metrics answers with. */
export interface MetricsPage {
  contentType: string;
  body: string;
}

/**
 * The fleet as Prometheus reads it, from the dashboard's own observations: a registry of its
 * own (no process-wide globals), whose agent series are set anew each cycle so an agent that
 * left the fleet leaves the page too. No secret is a label or a value: agents, hosts,
 * versions and states only.
 */
export class FleetMetrics {
  private readonly registry = new Registry();
  private readonly info = this.gauge('clawctl_agent_info', "An agent's OpenClaw versions (pinned by the fleet, installed on its host, running in its gateway): always 1", [
    'agent',
    'host',
    'role',
    'pinned_version',
    'installed_version',
    'running_version',
  ]);
  private readonly state = this.gauge('clawctl_agent_state', "1 for the agent's state (online, degraded, offline, unknown), 0 for the others", ['agent', 'host', 'state']);
  private readonly up = this.gauge('clawctl_agent_up', "1 when the agent's gateway runs (online or degraded), else 0", ['agent', 'host']);
  private readonly ready = this.gauge('clawctl_agent_ready', "1 when the agent's gateway answered /readyz ready (online), else 0", ['agent', 'host']);
  private readonly drift = this.gauge('clawctl_agent_drift_changes', 'Changes planned for the agent (files, version; 0 means in sync with the fleet)', ['agent', 'host']);
  private readonly response = this.gauge('clawctl_agent_response_seconds', "How long the agent's gateway took to answer /readyz in the last cycle", ['agent', 'host']);
  private readonly cost = this.gauge('clawctl_agent_cost_usd', "What the agent spent, from OpenClaw's own usage cost: period day (the gateway's today) or month (this calendar month)", [
    'agent',
    'host',
    'period',
  ]);
  private readonly costKnown = this.gauge('clawctl_agent_cost_known', "1 when the agent's usage cost could be read in the last cycle, 0 when it could not", ['agent', 'host']);
  private readonly budgetLimit = this.gauge('clawctl_agent_budget_limit_usd', 'A Policy budget that applies to the agent (period daily or monthly)', ['agent', 'policy', 'rule', 'period']);
  private readonly budgetOver = this.gauge('clawctl_agent_budget_exceeded', '1 when the agent spent more than the budget allows, 0 when not (absent while its cost is unknown)', [
    'agent',
    'policy',
    'rule',
    'period',
  ]);
  private readonly reachable = this.gauge('clawctl_host_reachable', '1 when the host could be observed, else 0', ['host']);
  private readonly violations = this.gauge('clawctl_policy_violations', 'Policy violations in the current plan', []);
  private readonly observed = this.gauge('clawctl_observation_success', '1 when the last cycle planned the fleet, 0 when it could not (a broken manifest, say)', []);
  private readonly observedAt = this.gauge('clawctl_observation_timestamp_seconds', 'When the last cycle observed the fleet (Unix time)', []);
  private readonly cycle = new Histogram({
    name: 'clawctl_reconcile_cycle_duration_seconds',
    help: 'Duration of a reconcile cycle (observe every host, diff, check policy), as watch runs it',
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly applyTime = this.gauge('clawctl_last_apply_timestamp_seconds', 'When the last apply of the fleet ended, from the audit log (Unix time)', []);
  private readonly applyResult = this.gauge('clawctl_last_apply_status', "1 for the last apply's result (applied, partial, failed, nothing-to-do), 0 for the others", ['status']);
  private readonly agentApplyTime = this.gauge('clawctl_agent_last_apply_timestamp_seconds', "When an agent's last apply ended, from the audit log (Unix time)", ['agent']);
  private readonly agentApplyOk = this.gauge('clawctl_agent_last_apply_success', "1 when the agent's last apply succeeded, 0 when it failed or was rolled back", ['agent']);

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** One cycle's observation: every series about agents and hosts is replaced by this one's. */
  observe(snapshot: DashboardSnapshot, seconds: number): void {
    this.cycle.observe(seconds);
    for (const g of [this.info, this.state, this.up, this.ready, this.drift, this.reachable, this.response, this.cost, this.costKnown, this.budgetLimit, this.budgetOver]) g.reset();
    this.observedAt.set(Date.parse(snapshot.observedAt) / 1000);
    this.observed.set(snapshot.error ? 0 : 1);
    // A fleet that could not be planned has no current agent figures: none is passed off as current.
    if (snapshot.error) return;
    this.violations.set(snapshot.policy.violations.length);
    for (const h of snapshot.hosts) this.reachable.set({ host: h.name }, h.reachable ? 1 : 0);
    for (const { status: s } of snapshot.agents) {
      const who = { agent: s.agent, host: s.host };
      this.info.set({ ...who, role: s.role ?? '', pinned_version: s.version.pinned ?? '', installed_version: s.version.installed ?? '', running_version: s.version.running ?? '' }, 1);
      for (const st of STATES) this.state.set({ ...who, state: st }, s.state === st ? 1 : 0);
      this.up.set(who, s.state === 'online' || s.state === 'degraded' ? 1 : 0);
      this.ready.set(who, s.state === 'online' ? 1 : 0);
      this.drift.set(who, s.drift);
      if (s.responseMs !== undefined) this.response.set(who, s.responseMs / 1000);
      if (s.cost) this.costKnown.set(who, s.cost.state === 'known' ? 1 : 0);
      if (s.cost?.state === 'known') {
        this.cost.set({ ...who, period: 'day' }, s.cost.todayUsd);
        this.cost.set({ ...who, period: 'month' }, s.cost.monthUsd);
      }
      for (const b of s.budgets ?? []) {
        const which = { agent: s.agent, policy: b.policy, rule: b.rule, period: b.period };
        this.budgetLimit.set(which, b.limitUsd);
        if (b.spentUsd !== null) this.budgetOver.set(which, b.over ? 1 : 0);
      }
    }
  }

  /** The audit log's latest applies; agents are limited to the fleet's current ones. */
  applies(last: LastApplies, agents: readonly string[]): void {
    for (const g of [this.applyTime, this.applyResult, this.agentApplyTime, this.agentApplyOk]) g.reset();
    if (last.fleet) {
      this.applyTime.set(Date.parse(last.fleet.time) / 1000);
      for (const r of APPLY_RESULTS) this.applyResult.set({ status: r }, last.fleet.result === r ? 1 : 0);
    }
    for (const agent of agents) {
      const a = last.agents.get(agent);
      if (!a) continue;
      this.agentApplyTime.set({ agent }, Date.parse(a.time) / 1000);
      this.agentApplyOk.set({ agent }, a.result === 'ok' ? 1 : 0);
    }
  }

  async page(): Promise<MetricsPage> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
