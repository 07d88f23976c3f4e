import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { DesiredState } from '../desired/desired-state.js';
import { ClawctlError, type Diagnostic } from '../util/errors.js';
import { indexBy } from '../util/index-by.js';
import { isObject } from '../util/json.js';
import type { Manifests } from '../validate/manifests.js';
import { pointerToPath } from '../validate/schema-errors.js';

const run = promisify(execFile);

/**
 * Check every rendered openclaw.json against OpenClaw's own schema (`openclaw config
 * schema`, draft-07), for each pinned version whose openclaw is at hand or whose schema is
 * cached. A wrong key is then an error at the manifest's file:line now, not a broken
 * gateway later. Schemas are cached per version; validators compiled once per process.
 */
export async function checkOpenclawConfigs(manifests: Manifests, desired: DesiredState): Promise<void> {
  const problems: Diagnostic[] = [];
  const sources = indexBy(manifests.agents, (a) => a.manifest.metadata.name);
  for (const agent of desired.agents) {
    if (!agent.version) continue;
    const validate = await validatorFor(agent.version);
    if (!validate || validate(agent.config)) continue;
    const sourced = sources.get(agent.name)!;
    for (const err of validate.errors ?? []) problems.push(diagnose(err, sourced, manifests, agent.version));
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} openclaw.json problem(s)`);
}

function diagnose(err: ErrorObject, agent: Manifests['agents'][number], manifests: Manifests, version: string): Diagnostic {
  const params = err.params as Record<string, unknown>;
  const path = pointerToPath(err.instancePath);
  const key = err.keyword === 'additionalProperties' ? [...path, String(params.additionalProperty)] : path;
  // Point at the agent's own config where it sets this key, else at the Fleet default.
  const agentPath = ['spec', 'openclaw', 'config', ...key];
  const fleetPath = ['spec', 'defaults', 'config', ...key];
  const inAgent = hasPath(agent.manifest.spec.openclaw?.config, key) || !hasPath(manifests.fleet.manifest.spec.defaults?.config, key);
  const atKey = { key: err.keyword === 'additionalProperties' };
  const pos = inAgent ? agent.source.locate(agentPath, atKey) : manifests.fleet.source.locate(fleetPath, atKey);
  const where = key.length > 0 ? key.join('.') : 'config';
  const what = err.keyword === 'additionalProperties' ? `unknown key "${String(params.additionalProperty)}"` : (err.message ?? 'is invalid');
  return {
    pos,
    message: `agent ${agent.manifest.metadata.name}: openclaw.json ${where}: ${what} (OpenClaw ${version} schema)`,
    hint: 'see `openclaw config schema`, or the configuration reference in OpenClaw\'s docs',
  };
}

function hasPath(obj: unknown, path: readonly (string | number)[]): boolean {
  let cur: unknown = obj;
  for (const k of path) {
    if (!isObject(cur) && !Array.isArray(cur)) return false;
    cur = (cur as Record<string, unknown>)[String(k)];
    if (cur === undefined) return false;
  }
  return true;
}

const validators = new Map<string, Promise<ValidateFunction | undefined>>();

function validatorFor(version: string): Promise<ValidateFunction | undefined> {
  let v = validators.get(version);
  if (!v) {
    v = schemaFor(version).then(async (schema) => {
      if (!schema) return undefined;
      const { Ajv } = await import('ajv');
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
      return ajv.compile(scopeEmbeddedDefs(schema));
    });
    validators.set(version, v);
  }
  return v;
}

/**
 * Plugin config schemas are embedded whole, and their `#/$defs/…` refs mean their own root.
 * Giving each such subschema an $id makes those refs resolve where the plugin meant them.
 */
function scopeEmbeddedDefs(schema: Record<string, unknown>): Record<string, unknown> {
  const walk = (node: unknown, path: string, isRoot: boolean): void => {
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    if (!isRoot && isObject(obj.$defs) && obj.$id === undefined) obj.$id = `urn:openclaw-config-schema:${path}`;
    for (const [key, value] of Object.entries(obj)) walk(value, `${path}/${encodeURIComponent(key)}`, false);
  };
  walk(schema, '', true);
  return schema;
}

function schemaCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'clawctl', 'openclaw-schema');
}

/** The schema of this OpenClaw version: from the cache, else from a local openclaw of that version. */
async function schemaFor(version: string): Promise<Record<string, unknown> | undefined> {
  const cached = join(schemaCacheDir(), `${version}.json`);
  try {
    return JSON.parse(await readFile(cached, 'utf8')) as Record<string, unknown>;
  } catch {
    // not cached yet
  }
  const bin = process.env.CLAWCTL_OPENCLAW ?? 'openclaw';
  try {
    const { stdout: v } = await run(bin, ['--version'], { timeout: 30_000 });
    if (!v.includes(version)) return undefined;
    const { stdout } = await run(bin, ['config', 'schema'], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    const schema = JSON.parse(stdout) as Record<string, unknown>;
    await mkdir(schemaCacheDir(), { recursive: true });
    await writeFile(`${cached}.tmp`, stdout);
    await rename(`${cached}.tmp`, cached);
    return schema;
  } catch {
    return undefined; // no openclaw here, or not that version: the host checks on apply
  }
}
