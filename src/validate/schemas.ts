import { existsSync, readFileSync } from 'node:fs';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Kind } from './manifests.js';

export type SchemaError = ErrorObject;
export type ManifestValidators = Record<Kind, ValidateFunction>;

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
const IDS: Record<Kind, string> = {
  Fleet: 'https://clawctl.dev/schemas/v1/fleet.schema.json',
  Host: 'https://clawctl.dev/schemas/v1/host.schema.json',
  Agent: 'https://clawctl.dev/schemas/v1/agent.schema.json',
  Policy: 'https://clawctl.dev/schemas/v1/policy.schema.json',
};

/**
 * The ajv instance over schemas/ (the single source); `source` keeps code for standalone
 * output. Imported lazily: a built clawctl never loads ajv's compiler.
 */
export async function manifestAjv(opts: { source?: boolean } = {}): Promise<Ajv2020> {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: addFormats } = await import('ajv-formats');
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true, ...(opts.source ? { code: { source: true, esm: true } } : {}) });
  addFormats.default(ajv);
  for (const name of ['common', 'fleet', 'host', 'agent', 'policy']) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), 'utf8')) as object);
  }
  return ajv;
}

export const STANDALONE_IDS = IDS;

let loaded: Promise<ManifestValidators> | undefined;

/**
 * The manifest validators: precompiled at build time (scripts/compile-schemas.mjs writes
 * dist/validate/manifest-validators.js, sparing every run ajv's compile), or compiled here
 * when running from sources.
 */
export function manifestValidators(): Promise<ManifestValidators> {
  const built = new URL('./manifest-validators.js', import.meta.url);
  // Only an absent file (sources, before a build) compiles here: a generated module that
  // fails to load is a build bug, not a reason to compile on every run unnoticed.
  loaded ??= existsSync(built)
    ? import(built.href).then((mod: ManifestValidators) => ({ Fleet: mod.Fleet, Host: mod.Host, Agent: mod.Agent, Policy: mod.Policy }))
    : manifestAjv().then((ajv) => ({ Fleet: ajv.getSchema(IDS.Fleet)!, Host: ajv.getSchema(IDS.Host)!, Agent: ajv.getSchema(IDS.Agent)!, Policy: ajv.getSchema(IDS.Policy)! }));
  return loaded;
}
