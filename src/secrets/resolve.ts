import { ClawctlError, type Diagnostic } from '../util/errors.js';
import type { EnvMap, Manifests, SecretRef, Sourced, AnyManifest } from '../validate/manifests.js';
import { formatLocation, locationOfRef } from './location.js';
import { openSecret, SecretStoreError, type OpenSecret } from './store.js';

export interface ResolvedSecrets {
  /** A secretRef's value by refKey(ref). Values stay in memory only, wrapped as Sensitive by render. */
  values: ReadonlyMap<string, string>;
  /** The Fleet's `spec.secrets.hashKey`, which keys the hashes plans show; undefined when not set. */
  hashKey: string | undefined;
  /** Every location read, for the audit log. */
  locations: string[];
}

export const refKey = (ref: SecretRef): string => `${formatLocation(locationOfRef(ref))}#${ref.key}`;

interface RefUse {
  ref: SecretRef;
  owner: Sourced<AnyManifest>;
  path: (string | number)[];
}

/**
 * Read every secret the fleet references, each location once, all concurrently. Every
 * unreadable reference is reported at its manifest's file:line in one error.
 */
export async function resolveSecrets(fleetDir: string, manifests: Manifests): Promise<ResolvedSecrets> {
  const uses = collectRefs(manifests);
  const byName = new Map(uses.map((u) => [formatLocation(locationOfRef(u.ref)), locationOfRef(u.ref)]));
  const locations = [...byName.keys()];
  const opened = new Map<string, OpenSecret | SecretStoreError>(
    await Promise.all(
      [...byName].map(async ([name, loc]): Promise<[string, OpenSecret | SecretStoreError]> => [
        name,
        await openSecret(fleetDir, loc, { create: false }).catch((err: unknown) => {
          if (err instanceof SecretStoreError) return err;
          throw err;
        }),
      ]),
    ),
  );
  const problems: Diagnostic[] = [];
  const values = new Map<string, string>();
  for (const use of uses) {
    const pos = use.owner.source.locate(use.path);
    const got = opened.get(formatLocation(locationOfRef(use.ref)))!;
    if (got instanceof SecretStoreError) {
      problems.push({ pos, message: got.message, ...(got.hint ? { hint: got.hint } : {}) });
      continue;
    }
    const value = got.get(use.ref.key);
    if (value === undefined) {
      const where = formatLocation(got.location);
      problems.push({ pos, message: `${where} has no key "${use.ref.key}"`, hint: `its keys: ${got.keys().join(', ') || '(none)'}; add it with \`clawctl secrets set ${where} ${use.ref.key}\`` });
      continue;
    }
    values.set(refKey(use.ref), value);
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} secret reference(s) could not be resolved; nothing was planned`);
  const hashRef = manifests.fleet.manifest.spec.secrets?.hashKey;
  return { values, hashKey: hashRef && values.get(refKey(hashRef)), locations };
}

/** Every secretRef of the fleet with the manifest and YAML path it is written at. */
export function collectRefs(manifests: Manifests): RefUse[] {
  const uses: RefUse[] = [];
  const add = (owner: Sourced<AnyManifest>, env: EnvMap | undefined, path: string[]) => {
    for (const [name, value] of Object.entries(env ?? {})) {
      if (typeof value === 'object') uses.push({ ref: value.secretRef, owner, path: [...path, name, 'secretRef'] });
    }
  };
  const hashKey = manifests.fleet.manifest.spec.secrets?.hashKey;
  if (hashKey) uses.push({ ref: hashKey, owner: manifests.fleet, path: ['spec', 'secrets', 'hashKey'] });
  add(manifests.fleet, manifests.fleet.manifest.spec.defaults?.env, ['spec', 'defaults', 'env']);
  for (const agent of manifests.agents) add(agent, agent.manifest.spec.env, ['spec', 'env']);
  return uses;
}
