import { ClawctlError, type Diagnostic } from '../util/errors.js';
import type { EnvMap, Manifests, SecretRef, Sourced, AnyManifest } from '../validate/manifests.js';
import { formatLocation, locationOfRef } from './location.js';
import { openSecret, SecretStoreError, type OpenSecret } from './store.js';
import { HASH_RECORD, keyCheckOf, readHashRecord, type HashRecord } from './hash-record.js';
import { keyedHash } from '../util/hash.js';

export interface ResolvedSecrets {
  /** A secretRef's value by refKey(ref), where this run decrypted it. Values stay in memory only, wrapped as Sensitive by render. */
  values: ReadonlyMap<string, string>;
  /** A secretRef's recorded keyed hash by refKey(ref), where this run did not decrypt it. */
  recorded: ReadonlyMap<string, string>;
  /** The fleet's hash key (`spec.secrets.hashKey`, or CLAWCTL_HASH_KEY); undefined when the fleet sets none. */
  hashKey: string | undefined;
  /** Every location decrypted, for the audit log. */
  locations: string[];
}

export const refKey = (ref: SecretRef): string => `${formatLocation(locationOfRef(ref))}#${ref.key}`;

interface RefUse {
  ref: SecretRef;
  owner: Sourced<AnyManifest>;
  path: (string | number)[];
}

/**
 * The fleet's secrets as a run needs them. `decrypt: false` (plan, status, diagnose, an agent
 * proposing a change): each value's keyed hash from the hash record; only values missing from
 * it are decrypted. `decrypt: true` (apply): every value, and the record must match them, so
 * a value changed by hand or outside clawctl is caught before it is written.
 */
export async function resolveSecrets(fleetDir: string, manifests: Manifests, opts: { decrypt: boolean }): Promise<ResolvedSecrets> {
  const uses = collectRefs(manifests);
  const hashRef = manifests.fleet.manifest.spec.secrets?.hashKey;
  const given = process.env.CLAWCTL_HASH_KEY || undefined;
  const record = await readHashRecord(fleetDir);
  // The hash key: CLAWCTL_HASH_KEY, for readers that hold no age identity; else decrypted.
  const needKey = hashRef && (opts.decrypt || !given);
  const recorded = new Map<string, string>();
  const toDecrypt = uses.filter((u) => {
    if (u.ref === hashRef) return Boolean(needKey);
    const hash = opts.decrypt ? undefined : record?.hashes[refKey(u.ref)];
    if (hash !== undefined) recorded.set(refKey(u.ref), hash);
    return hash === undefined;
  });
  const why = opts.decrypt
    ? undefined
    : `${record ? `it is not in ${HASH_RECORD}` : `the fleet has no ${HASH_RECORD} yet`}, so it has to be decrypted; \`clawctl secrets rehash\` (with the key) records every value's hash for plans without one`;
  const { values, locations } = await decryptRefs(fleetDir, toDecrypt, why);
  const hashKey = (hashRef && values.get(refKey(hashRef))) || given;
  const problems = [...keyProblems(manifests, hashRef, given, values), ...(opts.decrypt && record && hashKey ? recordProblems(uses, values, record, hashKey) : [])];
  if (!opts.decrypt && record && hashKey && record.keyCheck !== keyCheckOf(hashKey) && recorded.size > 0) {
    problems.push({
      message: `${HASH_RECORD} was made with another hash key than ${given ? 'CLAWCTL_HASH_KEY' : "the Fleet's spec.secrets.hashKey"}`,
      hint: "set CLAWCTL_HASH_KEY to the value of the fleet's hash key, or run `clawctl secrets rehash` with the age key",
    });
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} secret problem(s); nothing was planned`);
  return { values, recorded, hashKey, locations };
}

/** Read the given references, each location once, all concurrently; every unreadable one is reported at its manifest's file:line. */
async function decryptRefs(fleetDir: string, uses: RefUse[], why: string | undefined): Promise<{ values: Map<string, string>; locations: string[] }> {
  const byName = new Map(uses.map((u) => [formatLocation(locationOfRef(u.ref)), locationOfRef(u.ref)]));
  const opened = new Map<string, OpenSecret | SecretStoreError>(
    await Promise.all(
      [...byName].map(
        async ([name, loc]): Promise<[string, OpenSecret | SecretStoreError]> => [
          name,
          await openSecret(fleetDir, loc, { create: false }).catch((err: unknown) => {
            if (err instanceof SecretStoreError) return err;
            throw err;
          }),
        ],
      ),
    ),
  );
  const problems: Diagnostic[] = [];
  const values = new Map<string, string>();
  for (const use of uses) {
    const pos = use.owner.source.locate(use.path);
    const got = opened.get(formatLocation(locationOfRef(use.ref)))!;
    if (got instanceof SecretStoreError) {
      const hint = [got.hint, why].filter(Boolean).join('; ');
      problems.push({ pos, message: got.message, hint });
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
  return { values, locations: [...byName.keys()].filter((n) => !(opened.get(n) instanceof SecretStoreError)) };
}

/** CLAWCTL_HASH_KEY, when given beside a decrypted hash key, must be the same key. */
function keyProblems(manifests: Manifests, hashRef: SecretRef | undefined, given: string | undefined, values: ReadonlyMap<string, string>): Diagnostic[] {
  const decrypted = hashRef && values.get(refKey(hashRef));
  if (!decrypted || !given || decrypted === given) return [];
  return [
    { pos: manifests.fleet.source.locate(['spec', 'secrets', 'hashKey']), message: "CLAWCTL_HASH_KEY is not the fleet's hash key", hint: 'unset it, or set it to the value of spec.secrets.hashKey' },
  ];
}

/** With the values at hand, every recorded hash must be theirs: else a value changed behind the record's back. */
function recordProblems(uses: RefUse[], values: ReadonlyMap<string, string>, record: HashRecord, hashKey: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const use of uses) {
    const key = refKey(use.ref);
    const hash = record.hashes[key];
    const value = values.get(key);
    if (seen.has(key) || hash === undefined || value === undefined || record.keyCheck !== keyCheckOf(hashKey)) continue;
    seen.add(key);
    if (keyedHash(value, hashKey) !== hash) {
      out.push({
        pos: use.owner.source.locate(use.path),
        message: `${key}: the value does not match its hash in ${HASH_RECORD}: it was changed outside clawctl (a SOPS file edited by hand, or rotated in AWS directly)`,
        hint: 'check that change, then `clawctl secrets rehash` records the values as they are; plans made before it are refused',
      });
    }
  }
  return out;
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
