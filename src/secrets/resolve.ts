import { AwsSecretError, getSecretString } from '../aws/secrets-manager.js';
import { ClawctlError, type Diagnostic } from '../util/errors.js';
import { isObject } from '../util/json.js';
import type { EnvMap, Manifests, SecretRef, Sourced, AnyManifest } from '../validate/manifests.js';

/** A secretRef's value by refKey(ref). Values stay in memory only, wrapped as Sensitive by render. */
export type ResolvedSecrets = ReadonlyMap<string, string>;

export const refKey = (ref: SecretRef): string => ('aws' in ref ? `aws:${ref.aws}#${ref.key}` : `sops:${ref.sops}#${ref.key}`);

interface RefUse {
  ref: SecretRef;
  owner: Sourced<AnyManifest>;
  path: string[];
}

/**
 * Read every secret the fleet references, each AWS secret once, all concurrently. Every
 * unreadable reference is reported at its manifest's file:line in one error.
 */
export async function resolveSecrets(manifests: Manifests): Promise<ResolvedSecrets> {
  const uses = collectRefs(manifests);
  const problems: Diagnostic[] = [];
  const values = new Map<string, string>();
  const awsIds = [...new Set(uses.flatMap((u) => ('aws' in u.ref ? [u.ref.aws] : [])))];
  const fetched = new Map<string, string | Error>(
    await Promise.all(
      awsIds.map(async (id): Promise<[string, string | Error]> => [id, await getSecretString(id).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))]),
    ),
  );
  for (const use of uses) {
    const pos = use.owner.source.locate(use.path);
    if (!('aws' in use.ref)) {
      problems.push({ pos, message: `secretRef to SOPS file ${use.ref.sops}: SOPS secrets are not supported yet`, hint: 'use an AWS Secrets Manager reference ({aws: <secret id>, key: <json key>}) for now' });
      continue;
    }
    const got = fetched.get(use.ref.aws)!;
    if (got instanceof AwsSecretError) {
      problems.push({ pos, message: got.message, ...(got.hint ? { hint: got.hint } : {}) });
      continue;
    }
    if (got instanceof Error) throw got;
    const value = jsonKey(got, use.ref.key);
    if (value === undefined) {
      problems.push({ pos, message: `AWS secret ${use.ref.aws} has no key "${use.ref.key}"`, hint: 'the secret must be a JSON object whose keys are strings; `clawctl secrets list aws:<id>` shows its keys' });
      continue;
    }
    values.set(refKey(use.ref), value);
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} secret reference(s) could not be resolved; nothing was planned`);
  return values;
}

function jsonKey(secretString: string, key: string): string | undefined {
  try {
    const data = JSON.parse(secretString) as unknown;
    const value = isObject(data) ? data[key] : undefined;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}

function collectRefs(manifests: Manifests): RefUse[] {
  const uses: RefUse[] = [];
  const add = (owner: Sourced<AnyManifest>, env: EnvMap | undefined, path: string[]) => {
    for (const [name, value] of Object.entries(env ?? {})) {
      if (typeof value === 'object') uses.push({ ref: value.secretRef, owner, path: [...path, name, 'secretRef'] });
    }
  };
  add(manifests.fleet, manifests.fleet.manifest.spec.defaults?.env, ['spec', 'defaults', 'env']);
  for (const agent of manifests.agents) add(agent, agent.manifest.spec.env, ['spec', 'env']);
  return uses;
}
