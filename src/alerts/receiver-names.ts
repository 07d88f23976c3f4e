import { formatPos, type Diagnostic } from '../util/errors.js';
import type { FleetManifest, Sourced } from '../validate/manifests.js';

/** Two receivers of one name: `alerts test NAME` and the state file could not tell them apart. */
export function receiverDiagnostics(fleet: Sourced<FleetManifest>): Diagnostic[] {
  const first = new Map<string, number>();
  const out: Diagnostic[] = [];
  (fleet.manifest.spec.alerts ?? []).forEach((r, i) => {
    const earlier = first.get(r.name);
    if (earlier === undefined) first.set(r.name, i);
    else
      out.push({
        pos: fleet.source.locate(['spec', 'alerts', i, 'name']),
        message: `a second alert receiver named "${r.name}"`,
        hint: `the first is at ${formatPos(fleet.source.locate(['spec', 'alerts', earlier, 'name']))}`,
      });
  });
  return out;
}
