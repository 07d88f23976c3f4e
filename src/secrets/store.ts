import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AwsSecretError, describeSecret, getSecretString, putSecretString } from '../aws/secrets-manager.js';
import { isObject } from '../util/json.js';
import { createSopsFile, openSopsFile, readValue, removeValue, saveSopsFile, setValue, SopsError, keyPaths, type SopsFile } from './sops/sops-file.js';
import { creationRuleFor } from './sops/creation-rules.js';
import { keyPath, sopsPath, type SecretLocation } from './location.js';

/** A secret location opened for reading and changing, the same way for both backends. */
export interface OpenSecret {
  location: SecretLocation;
  keys(): string[];
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): boolean;
  /** Writes the changes: the SOPS file (atomically, new MAC) or a new AWS secret version. */
  save(): Promise<void>;
}

/** Why a secret location can't be used, for the caller to place (file:line or a flag). */
export class SecretStoreError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function openSecret(fleetDir: string, location: SecretLocation, opts: { create: boolean }): Promise<OpenSecret> {
  try {
    return location.kind === 'sops' ? await openSops(fleetDir, location, opts.create) : await openAws(location, opts.create);
  } catch (err) {
    if (err instanceof SopsError || err instanceof AwsSecretError) throw new SecretStoreError(err.message, err.hint);
    throw err;
  }
}

async function openSops(fleetDir: string, location: Extract<SecretLocation, { kind: 'sops' }>, create: boolean): Promise<OpenSecret> {
  const where = await sopsPath(fleetDir, location.file);
  if ('error' in where) throw new SecretStoreError(where.error, 'name a *.sops.yaml file inside the fleet directory, e.g. secrets/prod.sops.yaml');
  const file: SopsFile = create && !(await exists(where.path)) ? await newSopsFile(where.path) : await openSopsFile(where.path);
  return {
    location,
    keys: () => keyPaths(file.doc),
    get: (key) => readValue(file, keyPath(location, key)),
    set: (key, value) => setValue(file, keyPath(location, key), value),
    remove: (key) => removeValue(file, keyPath(location, key)),
    save: () => saveSopsFile(file),
  };
}

async function newSopsFile(path: string): Promise<SopsFile> {
  const rule = await creationRuleFor(path);
  await mkdir(dirname(path), { recursive: true });
  return createSopsFile(path, rule.recipients, rule.rule);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function openAws(location: Extract<SecretLocation, { kind: 'aws' }>, create: boolean): Promise<OpenSecret> {
  const exists = create ? (await describeSecret(location.id)) !== undefined : true;
  const values: Record<string, string> = exists ? parseAwsJson(location.id, await getSecretString(location.id)) : {};
  return {
    location,
    keys: () => Object.keys(values),
    get: (key) => values[key],
    set: (key, value) => {
      values[key] = value;
    },
    remove: (key) => key in values && delete values[key],
    save: () => putSecretString(location.id, JSON.stringify(values), !exists),
  };
}

/** An AWS secret clawctl can address by key: a JSON object of scalars. */
export function parseAwsJson(id: string, secretString: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(secretString);
  } catch {
    data = undefined;
  }
  if (!isObject(data)) throw new SecretStoreError(`AWS secret ${id} is not a JSON object, so its values have no keys`, 'store key/value JSON, e.g. {"OPENAI_API_KEY": "…"}');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  return out;
}
