import { indexObserved, type ObservedState } from '../observe/observed-state.js';
import type { Diagnostic } from '../util/errors.js';
import type { Plan } from './plan.js';

/**
 * A saved plan applies only to the state it saw: the same fleet files and, for every agent
 * it changes, the same files and version on the host. Pure; returns what differs.
 */
export function staleness(plan: Plan, fleet: { contentHash: string; files: Record<string, string> }, observed: ObservedState): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (plan.fingerprint.fleet !== fleet.contentHash) {
    const files = changedFiles(plan.fingerprint.files ?? {}, fleet.files);
    out.push({ message: `the fleet directory changed since the plan was made: ${files.join(', ') || 'its files differ'}`, hint: 'run `clawctl plan --out FILE` again and review the new plan' });
  }
  const seen = indexObserved(observed);
  for (const change of plan.changes) {
    const host = seen.hosts.get(change.host);
    if (!host) {
      out.push({ message: `agent ${change.agent}: host ${change.host} is no longer in the fleet` });
      continue;
    }
    if (!host.ok) {
      out.push({ message: `agent ${change.agent}: ${host.error}`, ...(host.hint ? { hint: host.hint } : {}) });
      continue;
    }
    if (change.actions.some((a) => a.type === 'destroy' || a.type === 'forget')) {
      if (!host.managed.some((m) => m.agent === change.agent && m.stateDir === change.stateDir)) {
        out.push({ message: `agent ${change.agent} on host ${change.host}: ~/${change.stateDir} is no longer there to remove` });
      }
      continue;
    }
    const agent = seen.agents.get(change.agent);
    if (!agent || agent.fingerprint !== plan.fingerprint.agents[change.agent]) {
      out.push({ message: `agent ${change.agent} on host ${change.host} changed since the plan was made (its files or OpenClaw version differ)` });
    }
  }
  return out;
}

/** Files added, removed or edited between two fingerprints, as `path (edited)`. */
function changedFiles(then: Record<string, string>, now: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [path, hash] of Object.entries(now)) {
    if (!(path in then)) out.push(`${path} (added)`);
    else if (then[path] !== hash) out.push(`${path} (edited)`);
  }
  for (const path of Object.keys(then)) if (!(path in now)) out.push(`${path} (removed)`);
  return out;
}
