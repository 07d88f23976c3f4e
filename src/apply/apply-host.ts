import type { HostConnection } from '../connection/connection.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../engine/hooks.js';
import { observerInstall, observerMarker, observerRemoveArgv } from '../observe/observer-gate.js';
import type { HostAction, HostPlan } from '../plan/plan.js';
import type { HostApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';

/** Carry out what a host itself needs, in order; the first failure stops the rest of that host. */
export async function applyHost(plan: HostPlan, conn: HostConnection, desired: Pick<DesiredState, 'fleet' | 'observer'>, seconds: number, hooks: EngineHooks): Promise<HostApplyResult> {
  const done: string[] = [];
  for (const action of plan.actions) {
    const { argv, stdin } = hostCommand(action, desired);
    const res = await execWithin(conn, argv, seconds, stdin);
    const ok = res.code === 0;
    const detail = res.timedOut ? `no answer within ${seconds} s` : res.stderr.trim().split('\n').slice(-3).join(' / ');
    hooks.emit({ type: 'host-action-done', host: plan.host, action: action.type, ok, ...(ok ? {} : { detail }) });
    if (!ok) return { host: plan.host, ok: false, done, error: `${action.type} on ${conn.describe} failed (exit ${res.code}): ${detail}` };
    done.push(action.type);
  }
  return { host: plan.host, ok: true, done };
}

function hostCommand(action: HostAction, desired: Pick<DesiredState, 'fleet' | 'observer'>): { argv: string[]; stdin?: string } {
  if (action.action === 'delete' || !desired.observer) return { argv: observerRemoveArgv(observerMarker(desired.fleet.name)) };
  return observerInstall(desired.observer);
}
