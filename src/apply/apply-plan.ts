import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../engine/hooks.js';
import { indexObserved, type ObservedState } from '../observe/observed-state.js';
import { hasWork, type Plan } from '../plan/plan.js';
import { indexBy } from '../util/index-by.js';
import { applyAgent } from './apply-agent.js';
import { applyHost } from './apply-host.js';
import { forgetAgent, removeAgent } from './remove-agent.js';
import type { AgentApplyResult, ApplyResult, HostApplyResult } from './apply-result.js';

export interface ApplyOptions {
  hooks: EngineHooks;
}

/**
 * Each host's own setup first (a host whose setup fails gets none of its agents applied), then
 * a rolling apply: agents in batches of the fleet's maxUnavailable. A failed agent is rolled
 * back, and the rollout stops after its batch; the rest are reported as skipped.
 */
export async function applyPlan(plan: Plan, desired: DesiredState, observed: ObservedState, pool: ConnectionPool, opts: ApplyOptions): Promise<ApplyResult> {
  if (!hasWork(plan)) return { status: 'nothing-to-do', agents: [], hosts: [], skipped: [] };
  const batchSize = desired.rollout.maxUnavailable;
  const results: AgentApplyResult[] = [];
  const skipped: string[] = [];
  const hosts = indexBy(desired.hosts, (h) => h.name);
  const agents = indexBy(desired.agents, (a) => a.name);
  const seen = indexObserved(observed);
  const hostResults = await Promise.all(
    plan.hosts.map(async (hostPlan): Promise<HostApplyResult> => {
      const host = hosts.get(hostPlan.host)!;
      const conn = await pool.get(host).catch((err: Error) => err);
      if (conn instanceof Error) return { host: hostPlan.host, ok: false, done: [], error: conn.message };
      return applyHost(hostPlan, conn, desired, host.commandTimeoutSeconds, opts.hooks);
    }),
  );
  const failedHosts = new Set(hostResults.filter((h) => !h.ok).map((h) => h.host));
  const changes = plan.changes.filter((c) => !failedHosts.has(c.host));
  skipped.push(...plan.changes.filter((c) => failedHosts.has(c.host)).map((c) => c.agent));
  for (let i = 0; i < changes.length; i += batchSize) {
    const batch = changes.slice(i, i + batchSize);
    if (results.some((r) => !r.ok)) {
      skipped.push(...batch.map((b) => b.agent));
      continue;
    }
    const done = await Promise.all(
      batch.map(async (agentPlan) => {
        const host = hosts.get(agentPlan.host)!;
        const conn = await pool.get(host).catch((err: Error) => err);
        if (conn instanceof Error) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: conn.message };
        if (agentPlan.actions.some((a) => a.type === 'forget')) return forgetAgent(agentPlan, conn, desired.fleet.name, opts.hooks, host.commandTimeoutSeconds);
        if (agentPlan.actions.some((a) => a.type === 'destroy')) return removeAgent(agentPlan, conn, host, opts.hooks, desired.rollout.healthTimeoutSeconds);
        const agent = agents.get(agentPlan.agent)!;
        const agentObs = seen.agents.get(agentPlan.agent);
        if (!agentObs) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: `host ${agentPlan.host} was not observed` };
        return applyAgent(agentPlan, { fleet: desired.fleet.name, conn, host, desired: agent, observed: agentObs, healthTimeoutSeconds: desired.rollout.healthTimeoutSeconds, hooks: opts.hooks });
      }),
    );
    results.push(...done);
  }
  const outcomes = [...hostResults, ...results];
  const failed = outcomes.filter((r) => !r.ok).length;
  const status = failed === 0 ? 'applied' : failed === outcomes.length ? 'failed' : 'partial';
  return { status, agents: results, hosts: hostResults, skipped };
}
