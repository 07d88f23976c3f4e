import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { AuditSink } from '../audit/audit-log.js';
import { describeSecret, listSecrets as listAwsSecrets } from '../aws/secrets-manager.js';
import { loadFleet } from '../load/load-fleet.js';
import { formatLocation, locationOfRef, type SecretLocation } from './location.js';
import { refKey } from './resolve.js';
import { openSecret, SecretStoreError, type OpenSecret } from './store.js';
import { keyPaths } from './sops/sops-file.js';
import { ClawctlError } from '../util/errors.js';
import { fallbackHashKey, keyedHash, sensitiveHash } from '../util/hash.js';
import { updateHashRecord } from './hash-record.js';
import type { EnvMap, Manifests, SecretRef } from '../validate/manifests.js';
import { validateFleet } from '../validate/validate-fleet.js';

/** The fleet's manifests and the key that keys printed hashes, as plan computes it. */
export interface SecretsContext {
  fleetDir: string;
  manifests: Manifests;
  audit: AuditSink;
  hashKey?: Promise<string>;
}

export async function secretsContext(fleetDir: string, audit: AuditSink): Promise<SecretsContext> {
  return { fleetDir, manifests: await validateFleet(await loadFleet(fleetDir)), audit };
}

/** A store error as the user sees it: exit 1, the location named, nothing written. */
async function open(ctx: SecretsContext, loc: SecretLocation, create: boolean): Promise<OpenSecret> {
  return openSecret(ctx.fleetDir, loc, { create }).catch((err: unknown) => {
    if (err instanceof SecretStoreError) throw new ClawctlError(err.message, [{ message: err.message, ...(err.hint ? { hint: err.hint } : {}) }]);
    throw err;
  });
}

/** The fleet's hash key: its spec.secrets.hashKey (decrypted once), else the fallback key. */
function hashKeyOf(ctx: SecretsContext): Promise<string> {
  return (ctx.hashKey ??= (async () => {
    const ref = ctx.manifests.fleet.manifest.spec.secrets?.hashKey;
    const fallback = fallbackHashKey(ctx.manifests.fleet.manifest.metadata.name);
    return ref ? ((await open(ctx, locationOfRef(ref), false)).get(ref.key) ?? fallback) : fallback;
  })());
}

/** The hash plans show for a value: keyed with the fleet's hash key. */
async function hashOf(ctx: SecretsContext, value: string): Promise<string> {
  return `sha256:${sensitiveHash(value, await hashKeyOf(ctx))}`;
}

/** Keep the fleet's hash record in step with a value written or removed (undefined). */
async function record(ctx: SecretsContext, loc: SecretLocation, key: string, value: string | undefined): Promise<void> {
  const hashKey = await hashKeyOf(ctx);
  await updateHashRecord(ctx.fleetDir, hashKey, { [`${formatLocation(loc)}#${key}`]: value === undefined ? undefined : keyedHash(value, hashKey) });
}

/**
 * Record every referenced value's keyed hash as it is now (decrypting each), for plans made
 * without the key: after a fleet's first secrets, or after a value changed outside clawctl.
 */
export async function rehashSecrets(ctx: SecretsContext): Promise<{ recorded: number; locations: string[] }> {
  const hashKey = await hashKeyOf(ctx);
  const refs = refsOf(ctx.manifests);
  const changes: Record<string, string> = {};
  const opened = new Map<string, OpenSecret>();
  for (const ref of refs) {
    const loc = locationOfRef(ref);
    const name = formatLocation(loc);
    if (!opened.has(name)) opened.set(name, await open(ctx, loc, false));
    const value = opened.get(name)!.get(ref.key);
    if (value === undefined) throw new ClawctlError(`${name} has no key ${ref.key}`, [{ message: `${name} has no key "${ref.key}"`, hint: `add it with \`clawctl secrets set ${name} ${ref.key}\`` }]);
    changes[refKey(ref)] = keyedHash(value, hashKey);
  }
  await ctx.audit.record([...opened.keys()].map((target) => ({ action: 'secret.read', target, result: 'ok', details: { for: 'secrets rehash' } })));
  await updateHashRecord(ctx.fleetDir, hashKey, changes);
  return { recorded: Object.keys(changes).length, locations: [...opened.keys()] };
}

/** Agents whose .env takes location#key, through their own env or the Fleet's defaults. */
export function usersOf(manifests: Manifests, loc: SecretLocation, key: string): string[] {
  const wanted = `${formatLocation(loc)}#${key}`;
  const defaults: EnvMap = manifests.fleet.manifest.spec.defaults?.env ?? {};
  return manifests.agents
    .filter(({ manifest }) => Object.values({ ...defaults, ...(manifest.spec.env ?? {}) }).some((v) => typeof v === 'object' && refKey(v.secretRef) === wanted))
    .map(({ manifest }) => manifest.metadata.name);
}

export interface SecretWriteResult {
  location: string;
  key: string;
  action: 'created' | 'updated' | 'removed' | 'unchanged';
  /** Hashes as plan prints them; never values. */
  before?: string;
  after?: string;
  /** Agents that take this value: the next apply rewrites their .env and restarts them. */
  usedBy: string[];
}

export async function setSecret(ctx: SecretsContext, loc: SecretLocation, key: string, value: string, mode: 'set' | 'rotate'): Promise<SecretWriteResult> {
  const s = await open(ctx, loc, mode === 'set');
  const old = s.get(key);
  if (mode === 'rotate' && old === undefined) {
    throw new ClawctlError(`${formatLocation(loc)} has no key ${key} to rotate`, [
      { message: `${formatLocation(loc)} has no key "${key}"`, hint: `its keys: ${s.keys().join(', ') || '(none)'}; use \`clawctl secrets set\` for a new one` },
    ]);
  }
  const location = formatLocation(loc);
  const base = { location, key, usedBy: usersOf(ctx.manifests, loc, key), ...(old !== undefined ? { before: await hashOf(ctx, old) } : {}) };
  if (old === value) return { ...base, action: 'unchanged', after: base.before! };
  s.set(key, value);
  await s.save();
  await record(ctx, loc, key, value);
  await ctx.audit.record([{ action: 'secret.write', target: `${location}#${key}`, result: 'ok', details: { operation: mode } }]);
  return { ...base, action: old === undefined ? 'created' : 'updated', after: await hashOf(ctx, value) };
}

export async function removeSecret(ctx: SecretsContext, loc: SecretLocation, key: string): Promise<SecretWriteResult> {
  const s = await open(ctx, loc, false);
  const location = formatLocation(loc);
  const usedBy = usersOf(ctx.manifests, loc, key);
  if (!s.remove(key)) return { location, key, action: 'unchanged', usedBy };
  await s.save();
  await record(ctx, loc, key, undefined);
  await ctx.audit.record([{ action: 'secret.write', target: `${location}#${key}`, result: 'ok', details: { operation: 'rm' } }]);
  return { location, key, action: 'removed', usedBy };
}

export interface SecretReadResult {
  location: string;
  key: string;
  hash: string;
  /** Present only with --reveal to a terminal or --force. */
  value?: string;
}

/** A value's hash; its value only when revealed. Either way the read is audited. */
export async function getSecret(ctx: SecretsContext, loc: SecretLocation, key: string, reveal: boolean): Promise<SecretReadResult> {
  const s = await open(ctx, loc, false);
  const value = s.get(key);
  const location = formatLocation(loc);
  if (value === undefined) throw new ClawctlError(`${location} has no key ${key}`, [{ message: `${location} has no key "${key}"`, hint: `its keys: ${s.keys().join(', ') || '(none)'}` }]);
  await ctx.audit.record([{ action: 'secret.read', target: `${location}#${key}`, result: 'ok', details: { for: 'get', revealed: reveal === true } }]);
  return { location, key, hash: await hashOf(ctx, value), ...(reveal ? { value } : {}) };
}

export interface SecretListing {
  location: string;
  exists: boolean;
  /** Key names. SOPS keeps them in plaintext; for AWS they are read only for a named secret. */
  keys?: string[];
  lastChanged?: string;
  /** key → agents that take it. */
  usedBy: Record<string, string[]>;
}

/**
 * Without a location: every SOPS file in the fleet and every AWS secret it references, with
 * no value decrypted or fetched. `aws:` lists the account's secrets by name (`aws:PREFIX`
 * narrows); `aws:<id>` or a file lists that secret's keys.
 */
export async function listSecretLocations(ctx: SecretsContext, loc?: SecretLocation): Promise<SecretListing[]> {
  if (loc?.kind === 'aws' && (loc.id === '' || loc.id.endsWith('*'))) {
    const found = await listAwsSecrets(loc.id.replace(/\*$/, '')).catch(storeError);
    return found.map((s) => ({ location: `aws:${s.name}`, exists: true, ...(s.lastChanged ? { lastChanged: s.lastChanged } : {}), usedBy: usage(ctx, { kind: 'aws', id: s.name }) }));
  }
  if (loc?.kind === 'aws') {
    const s = await open(ctx, loc, false);
    await ctx.audit.record([{ action: 'secret.read', target: formatLocation(loc), result: 'ok', details: { for: 'list keys' } }]);
    return [{ location: formatLocation(loc), exists: true, keys: s.keys(), usedBy: usage(ctx, loc) }];
  }
  const files = loc ? [loc.file] : await sopsFiles(ctx.fleetDir);
  const out: SecretListing[] = [];
  for (const file of files) {
    const text = await readFile(join(ctx.fleetDir, file), 'utf8').catch(() => undefined);
    out.push({ location: file, exists: text !== undefined, ...(text !== undefined ? { keys: keyPaths(parseDocument(text)) } : {}), usedBy: usage(ctx, { kind: 'sops', file }) });
  }
  if (!loc) {
    const ids = [
      ...new Set(
        referencedLocations(ctx.manifests)
          .filter((l) => l.kind === 'aws')
          .map((l) => (l as { id: string }).id),
      ),
    ];
    for (const id of ids) {
      const d = await describeSecret(id).catch(storeError);
      out.push({ location: `aws:${id}`, exists: d !== undefined, ...(d?.lastChanged ? { lastChanged: d.lastChanged } : {}), usedBy: usage(ctx, { kind: 'aws', id }) });
    }
  }
  return out;
}

function storeError(err: unknown): never {
  if (err instanceof Error && 'hint' in err) throw new ClawctlError(err.message, [{ message: err.message, ...(typeof err.hint === 'string' ? { hint: err.hint } : {}) }]);
  throw err;
}

/** Every secretRef written in the fleet's env maps. */
function refsOf(manifests: Manifests): SecretRef[] {
  const envs: EnvMap[] = [manifests.fleet.manifest.spec.defaults?.env ?? {}, ...manifests.agents.map((a) => a.manifest.spec.env ?? {})];
  return envs.flatMap((env) => Object.values(env).flatMap((v) => (typeof v === 'object' ? [v.secretRef] : [])));
}

function referencedLocations(manifests: Manifests): SecretLocation[] {
  return refsOf(manifests).map(locationOfRef);
}

function usage(ctx: SecretsContext, loc: SecretLocation): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ref of refsOf(ctx.manifests)) {
    if (formatLocation(locationOfRef(ref)) === formatLocation(loc)) out[ref.key] ??= usersOf(ctx.manifests, loc, ref.key);
  }
  return out;
}

async function sopsFiles(fleetDir: string, dir = fleetDir): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...(await sopsFiles(fleetDir, path)));
    else if (e.isFile() && /\.sops\.ya?ml$/.test(e.name)) out.push(relative(fleetDir, path));
  }
  return out;
}
