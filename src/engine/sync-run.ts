import type { AgentApplyResult, ApplyStatus, HostApplyResult } from '../apply/apply-result.js';
import { renderAgentPlanText } from '../plan/render-text.js';
import { ClawctlError } from '../util/errors.js';
import { planThenApply, withFleetLock } from './apply-run.js';
import type { PlanOptions } from './fleet-run.js';

/** What a sync of one agent did: the dashboard shows it as soon as it returns. */
export interface SyncResult {
  agent: string;
  /** nothing-to-do: its host already matched the fleet. */
  status: ApplyStatus;
  /** The agent's changes as `clawctl plan` prints them (hashes for .env values); absent when in sync. */
  planText?: string;
  /** The agent's own outcome (done, error, rolled back); absent when there was nothing to do. */
  applied?: AgentApplyResult;
  /** Its host's own setup, when the plan had any (the observation gate). */
  hosts: HostApplyResult[];
}

/**
 * Apply one agent's plan: `clawctl apply --target AGENT --auto-approve` without the process.
 * The same path as apply, called not copied: the fleet lock, policy (a rule that needs
 * approval refuses, as no approval can be given here), the health-gated restart with rollback,
 * and the audit entries. Nothing is pruned, and nothing of another agent is applied.
 */
export async function syncAgent(base: PlanOptions, agent: string): Promise<SyncResult> {
  const opts: PlanOptions = {
    ...base,
    scope: { targets: [agent], selector: {} },
    approvals: [],
    decrypt: true,
    prune: false,
    purpose: 'dashboard sync',
    openclawCheck: { ...base.openclawCheck, enforce: true },
  };
  return withFleetLock(base.fleetDir, `clawctl dashboard: sync ${agent}`, async () => {
    let planText: string | undefined;
    const { plan, result } = await planThenApply(opts, async (run) => {
      // A --target also takes a host's name: the sync is for the agent alone.
      if (!run.desired.agents.some((a) => a.name === agent))
        throw new ClawctlError(`no agent named ${agent}`, [{ message: `${agent} is not an agent of the fleet`, hint: "sync takes an agent from the dashboard's list" }]);
      const others = run.plan.changes.filter((c) => c.agent !== agent).map((c) => c.agent);
      if (others.length > 0) {
        throw new ClawctlError(`a sync of ${agent} would also change ${others.join(', ')}; nothing was applied`, [
          { message: `the plan for --target ${agent} reaches other agents`, hint: `review it with \`clawctl plan --target ${agent}\` and apply it there` },
        ]);
      }
      const mine = run.plan.changes.find((c) => c.agent === agent);
      if (mine) planText = renderAgentPlanText(run.plan, mine);
      return true;
    });
    // Nothing planned because the host could not be seen is no "in sync".
    const unreachable = plan.unreachable[0];
    if (!result && unreachable) throw new ClawctlError(`${agent}: ${unreachable.error}`, [{ message: unreachable.error, ...(unreachable.hint ? { hint: unreachable.hint } : {}) }]);
    if (!result) return { agent, status: 'nothing-to-do', hosts: [] };
    const applied = result.agents.find((a) => a.agent === agent);
    return { agent, status: result.status, ...(planText ? { planText } : {}), ...(applied ? { applied } : {}), hosts: result.hosts };
  });
}
