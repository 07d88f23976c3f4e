import type { ObserverFacts } from '../observe/observed-state.js';
import type { DesiredObserver } from '../observe/observer-gate.js';
import type { HostAction } from '../plan/plan.js';

/**
 * Pure: what a host itself (not one of its agents) needs. Today that is the observation
 * gate: installed at the fleet's version with its key line in place, or removed when the
 * fleet no longer names a key.
 */
export function diffHost(desired: DesiredObserver | undefined, observed: ObserverFacts | undefined): HostAction[] {
  if (!desired) return observed?.version ? [{ type: 'observer', action: 'delete' }] : [];
  const current = observed?.version === desired.version && (observed.authorized || !desired.authorize);
  if (current) return [];
  return [{ type: 'observer', action: observed?.version ? 'update' : 'create', key: desired.keyFingerprint, version: desired.version, authorizedKeys: desired.authorize }];
}
