import { planFleet, type PlanOptions } from './fleet-run.js';
import { agentStatuses, type AgentStatus } from './status.js';

/** status and agents list/info read the same observation as plan. */
export async function observeStatus(opts: PlanOptions): Promise<{ agents: AgentStatus[]; run: Awaited<ReturnType<typeof planFleet>> }> {
  const run = await planFleet(opts);
  await run.pool.closeAll();
  return { agents: agentStatuses(run.desired, run.observed, run.plan, new Date()), run };
}
