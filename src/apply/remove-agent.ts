import type { HostConnection } from '../connection/connection.js';
import type { DesiredHost } from '../desired/desired-state.js';
import type { EngineHooks } from '../events/hooks.js';
import { profileOfStateDir, serviceUnitName } from '../openclaw/paths.js';
import type { AgentPlan } from '../plan/plan.js';
import type { AgentApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';
import { deadlineFor, forgetAgentArgv, ownerLine, removeAgentArgv } from './host-scripts.js';

/**
 * Carry out a destroy: stop the agent that left the fleet and move its state dir aside. The
 * stop is bounded like a restart: a gateway that hangs while stopping is killed, not waited on.
 */
export async function removeAgent(plan: AgentPlan, conn: HostConnection, host: DesiredHost, hooks: EngineHooks, limitSeconds: number): Promise<AgentApplyResult> {
  hooks.emit({ type: 'agent-apply-start', agent: plan.agent, host: plan.host });
  const profile = profileOfStateDir(plan.stateDir);
  const res = await execWithin(conn, removeAgentArgv(plan.stateDir, host.service, serviceUnitName(profile), profile, limitSeconds), deadlineFor(limitSeconds));
  const ok = res.code === 0;
  const detail = res.timedOut ? `no answer within ${deadlineFor(limitSeconds)} s` : (res.stdout + res.stderr).trim().split('\n').slice(-3).join(' / ');
  hooks.emit({ type: 'action-done', agent: plan.agent, action: 'remove', ok, ...(ok ? {} : { detail }) });
  hooks.emit({ type: 'agent-applied', agent: plan.agent, ok, ...(ok ? {} : { error: detail }) });
  return { agent: plan.agent, host: plan.host, ok, done: ok ? ['remove'] : [], ...(ok ? {} : { error: `remove failed on ${conn.describe} (exit ${res.code}): ${detail}` }) };
}

/** Carry out a forget: the adopted agent's marker goes, and nothing else on the host changes. */
export async function forgetAgent(plan: AgentPlan, conn: HostConnection, fleet: string, hooks: EngineHooks, seconds: number): Promise<AgentApplyResult> {
  hooks.emit({ type: 'agent-apply-start', agent: plan.agent, host: plan.host });
  const res = await execWithin(conn, forgetAgentArgv(plan.stateDir, ownerLine(fleet, plan.agent)), seconds);
  const ok = res.code === 0;
  const detail = res.timedOut ? `no answer within ${seconds} s` : res.stderr.trim().split('\n').slice(-3).join(' / ');
  hooks.emit({ type: 'action-done', agent: plan.agent, action: 'forget', ok, ...(ok ? {} : { detail }) });
  hooks.emit({ type: 'agent-applied', agent: plan.agent, ok, ...(ok ? {} : { error: detail }) });
  return { agent: plan.agent, host: plan.host, ok, done: ok ? ['forget'] : [], ...(ok ? {} : { error: `forget failed on ${conn.describe} (exit ${res.code}): ${detail}` }) };
}
