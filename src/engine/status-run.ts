import { planOnly, type PlannedFleet, type PlanOptions } from './fleet-run.js';
import { agentStatuses, type AgentStatus } from './status.js';

/** status and agents list/info read the same observation as plan. */
export async function observeStatus(opts: PlanOptions): Promise<{ agents: AgentStatus[]; run: PlannedFleet }> {
  // A view: a config OpenClaw refuses is reported in the plan's checks, not an error here.
  // The views show what each agent spent: its usage cost is read whether or not a budget asks.
  const run = await planOnly({ ...opts, cost: true, openclawCheck: { enforce: false, require: false } });
  return { agents: agentStatuses(run.desired, run.observed, run.plan, new Date(), run.budgets), run };
}
