import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../engine/hooks.js';
import { indexObserved, type ObservedState } from '../observe/observed-state.js';
import { indexBy } from '../util/index-by.js';
import type { Plan } from '../plan/plan.js';
import { applyAgent } from './apply-agent.js';
import { removeAgent } from './remove-agent.js';
import type { AgentApplyResult, ApplyResult } from './apply-result.js';

export interface ApplyOptions {
  hooks: EngineHooks;
}

/**
 * Rolling apply: agents in batches of the fleet's maxUnavailable. A failed agent is rolled
 * back, and the rollout stops after its batch; the rest are reported as skipped.
 */
export async function applyPlan(plan: Plan, desired: DesiredState, observed: ObservedState, pool: ConnectionPool, opts: ApplyOptions): Promise<ApplyResult> {
  if (plan.changes.length === 0) return { status: 'nothing-to-do', agents: [], skipped: [] };
  const batchSize = desired.rollout.maxUnavailable;
  const results: AgentApplyResult[] = [];
  const skipped: string[] = [];
  const hosts = indexBy(desired.hosts, (h) => h.name);
  const agents = indexBy(desired.agents, (a) => a.name);
  const seen = indexObserved(observed);
  for (let i = 0; i < plan.changes.length; i += batchSize) {
    const batch = plan.changes.slice(i, i + batchSize);
    if (results.some((r) => !r.ok)) {
      skipped.push(...batch.map((b) => b.agent));
      continue;
    }
    const done = await Promise.all(
      batch.map(async (agentPlan) => {
        const host = hosts.get(agentPlan.host)!;
        const conn = await pool.get(host).catch((err: Error) => err);
        if (conn instanceof Error) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: conn.message };
        if (agentPlan.actions.some((a) => a.type === 'destroy')) return removeAgent(agentPlan, conn, host, opts.hooks, desired.rollout.healthTimeoutSeconds);
        const agent = agents.get(agentPlan.agent)!;
        const agentObs = seen.agents.get(agentPlan.agent);
        if (!agentObs) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: `host ${agentPlan.host} was not observed` };
        return applyAgent(agentPlan, { fleet: desired.fleet.name, conn, host, desired: agent, observed: agentObs, healthTimeoutSeconds: desired.rollout.healthTimeoutSeconds, hooks: opts.hooks });
      }),
    );
    results.push(...done);
  }
  const failed = results.filter((r) => !r.ok).length;
  const status = failed === 0 ? 'applied' : failed === results.length ? 'failed' : 'partial';
  return { status, agents: results, skipped };
}
