import type { Diagnostic } from '../util/errors.js';
import { canonicalJson } from '../util/json.js';
import { summarize, type Plan } from './plan.js';
import { digestChanges } from './write-digest.js';

/**
 * A saved plan is carried out only if it is exactly the plan the fleet and the hosts call
 * for now (Terraform's promise): `fresh` is that plan, derived again from the same inputs.
 * An entry added to the file, an edited action or hash, a summary that hides a removal, or a
 * secret that changed after review all differ. Pure; returns what differs.
 */
export function savedPlanDifferences(saved: Plan, fresh: Plan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hint = 'a saved plan applies only as it was made: run `clawctl plan --out FILE` again and review it';
  if (canonicalJson(saved.summary) !== canonicalJson(summarize(saved.changes, saved.hosts))) {
    out.push({ message: "the plan file's summary does not count its own changes; the file was edited", hint });
  }
  // One agent can stand in two places (a removal of its old state dir beside its new one).
  const where = (c: { agent: string; host: string; stateDir: string }) => `${c.agent}\0${c.host}\0${c.stateDir}`;
  const now = new Map(fresh.changes.map((c) => [where(c), c]));
  for (const change of saved.changes) {
    const current = now.get(where(change));
    if (!current) {
      out.push({ message: `agent ${change.agent}: the plan file lists changes that the fleet and host ${change.host} do not call for`, hint });
      continue;
    }
    // What would be written names the file; a differing action without it was edited by hand.
    const changed = digestChanges(saved.fingerprint.writes?.[change.agent], fresh.fingerprint.writes[change.agent] ?? {});
    if (changed.length > 0) out.push({ message: `agent ${change.agent}: what apply would write differs from the reviewed plan: ${changed.join(', ')}`, hint });
    else if (canonicalJson(change) !== canonicalJson(current)) {
      out.push({ message: `agent ${change.agent}: the plan file's actions differ from what the fleet and host ${change.host} call for now`, hint });
    }
  }
  // A host action carries the digest of all it installs, so equal JSON means the same setup.
  const hostsNow = new Map(fresh.hosts.map((h) => [h.host, canonicalJson(h)]));
  for (const h of saved.hosts) {
    if (hostsNow.get(h.host) !== canonicalJson(h)) out.push({ message: `host ${h.host}: the plan file's host setup differs from what the fleet and the host call for now`, hint });
  }
  return out;
}
