import type { AuditEntry } from '../audit/entry.js';
import { formatLocation, locationOfRef } from '../secrets/location.js';
import type { EnvMap, Manifests } from '../validate/manifests.js';

/** One secret-access entry of the audit log as the agent page shows it: where and why, never a value. */
export interface SecretAccess {
  seq: number;
  time: string;
  actor: string;
  action: 'secret.read' | 'secret.write';
  /** `secrets/x.sops.yaml` (a whole file read to plan or apply) or `secrets/x.sops.yaml#KEY`, `aws:<id>#KEY`. */
  location: string;
  /** What it was read for (plan, apply, dashboard, get…) or the write's operation (set, rotate, rm). */
  purpose: string;
  result: string;
}

/**
 * The secrets an agent's .env refers to, as `location#key`: its own spec.env and the Fleet's
 * default env it does not override (render merges them the same way). Names only.
 */
export function agentSecretRefs(manifests: Manifests, agent: string): string[] {
  const own = manifests.agents.find((a) => a.manifest.metadata.name === agent)?.manifest.spec.env ?? {};
  const defaults: EnvMap = manifests.fleet.manifest.spec.defaults?.env ?? {};
  const env: EnvMap = { ...defaults, ...own };
  const refs = Object.values(env).flatMap((v) => (typeof v === 'object' ? [`${formatLocation(locationOfRef(v.secretRef))}#${v.secretRef.key}`] : []));
  return [...new Set(refs)].sort();
}

/**
 * The audit log's secret reads and writes that touch the agent's secrets: a read of a whole
 * location it uses (plan and apply decrypt per file), or of one of its keys. Only the fields
 * listed in SecretAccess leave here: audit entries hold no values, and nothing else is passed on.
 */
export function secretAccessFor(entries: readonly AuditEntry[], refs: readonly string[]): SecretAccess[] {
  const keys = new Set(refs);
  const locations = new Set(refs.map((r) => r.slice(0, r.lastIndexOf('#'))));
  const out: SecretAccess[] = [];
  for (const e of entries) {
    if (e.action !== 'secret.read' && e.action !== 'secret.write') continue;
    if (!keys.has(e.target) && !locations.has(e.target)) continue;
    const purpose = e.details?.for ?? e.details?.operation;
    out.push({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, location: e.target, purpose: typeof purpose === 'string' ? purpose : '-', result: e.result });
  }
  return out;
}
