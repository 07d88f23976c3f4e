import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Document, isMap, isScalar, parseDocument, Scalar } from 'yaml';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { isObject, valueAt } from '../../util/json.js';
import { findAgeIdentities, keySources, unwrapDataKey, wrapDataKey } from './age-keys.js';
import { additionalData, decryptString, encryptString } from './cipher.js';
import { computeMac, leaves } from './mac.js';
import { readMetadata, type EncryptionRule, type SopsMetadata } from './metadata.js';

/**
 * A SOPS YAML file, open: the encrypted document (edited in place, so values nobody changed
 * keep their ciphertext and a git diff shows only what did), the data key, and the
 * decrypted values. Opening verifies the MAC: a tampered file is refused, never used.
 */
export interface SopsFile {
  path: string;
  doc: Document;
  meta: SopsMetadata;
  dataKey: Uint8Array;
  values: Record<string, unknown>;
}

/** A SOPS file that cannot be used, and why, in the user's words. */
export class SopsError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** What sops writes as `version`: the format clawctl writes is that of sops 3.9 and later. */
const SOPS_FORMAT_VERSION = '3.9.0';

export async function openSopsFile(path: string): Promise<SopsFile> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new SopsError(
      err.code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${err.message}`,
      err.code === 'ENOENT' ? 'create it with `clawctl secrets set <file> <key>`' : undefined,
    );
  });
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new SopsError(`${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  let meta: SopsMetadata;
  try {
    meta = readMetadata(doc);
  } catch (err) {
    throw new SopsError(`${path}: ${(err as Error).message}`);
  }
  const identity = await matchingIdentity(path, meta);
  const dataKey = await unwrapDataKey(meta.age.find((a) => a.recipient === identity.recipient)!.enc, identity.identity).catch(() => {
    throw new SopsError(
      `${path}: the data key for ${identity.recipient} does not decrypt with the age key from ${identity.source}`,
      "the file's `sops.age` entry is damaged; re-create the value with `clawctl secrets set`",
    );
  });
  const values = await decryptValues(path, doc, identity.identity);
  verifyMac(path, doc, meta, dataKey, values);
  return { path, doc, meta, dataKey, values };
}

async function matchingIdentity(path: string, meta: SopsMetadata) {
  const identities = await findAgeIdentities().catch((err: Error) => {
    throw new SopsError(err.message);
  });
  const where = keySources().join(', ');
  if (identities.length === 0) throw new SopsError(`no age key to decrypt ${path}: looked in ${where}`, 'set SOPS_AGE_KEY_FILE to your key file, or run `clawctl init` to create one');
  const found = identities.find((i) => meta.age.some((a) => a.recipient === i.recipient));
  if (!found) {
    throw new SopsError(
      `none of your age keys can decrypt ${path}: it is encrypted for ${meta.age.map((a) => a.recipient).join(', ')}; you have ${[...new Set(identities.map((i) => i.recipient))].join(', ')}`,
      'point SOPS_AGE_KEY_FILE at the right key, or ask someone who can decrypt it to add your recipient to .sops.yaml and run `sops updatekeys` on the file',
    );
  }
  return found;
}

async function decryptValues(path: string, doc: Document, identity: string): Promise<Record<string, unknown>> {
  const { decryptSops } = await import('sops-age');
  try {
    const values: unknown = await decryptSops(doc.toJS() as object, { secretKey: identity });
    if (!isObject(values)) throw new Error('not a map');
    return values;
  } catch (err) {
    // sops-age's messages quote ciphertexts and key prefixes; say only where it failed.
    const at = /at path (\[[^\]]*\])/.exec((err as Error).message)?.[1];
    const key = at ? (JSON.parse(at) as string[]).filter((p) => !/^\d+$/.test(p)).join('.') : undefined;
    throw new SopsError(
      `${path}: ${key ? `the value of ${key}` : 'a value'} does not decrypt: the file was tampered with or damaged`,
      'restore it from git (`git checkout -- <file>`) and set the value again',
    );
  }
}

function verifyMac(path: string, doc: Document, meta: SopsMetadata, dataKey: Uint8Array, values: Record<string, unknown>): void {
  const computed = computeMac(leaves(doc, meta), (leaf) => valueAt(values, leaf.valuePath), meta.mac_only_encrypted === true);
  let stored: string;
  try {
    stored = decryptString(meta.mac, dataKey, macAdditionalData(meta.lastmodified));
  } catch {
    throw new SopsError(`${path}: its MAC does not decrypt: the file's mac or lastmodified was tampered with`, 'restore it from git and set the value again');
  }
  if (stored !== computed)
    throw new SopsError(`${path}: MAC mismatch: a value was added, removed or changed outside sops`, 'restore it from git (`git checkout -- <file>`); never edit encrypted values by hand');
}

/** Go's time.RFC3339 rendering of lastmodified, the MAC's additional data: no fraction, Z for UTC. */
function macAdditionalData(lastmodified: string): string {
  return lastmodified.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '').replace(/[+-]00:00$/, 'Z');
}

/** The string at a dotted key path, or undefined; a map there is not a value. */
export function readValue(file: SopsFile, keyPath: readonly string[]): string | undefined {
  let v: unknown = file.values;
  for (const p of keyPath) v = isObject(v) ? v[p] : undefined;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Every value's dotted key path, in file order: names only, nothing decrypted is needed. */
export function keyPaths(doc: Document): string[] {
  return [...new Set(leaves(doc, {}).map((l) => l.keyPath.join('.')))];
}

export function setValue(file: SopsFile, keyPath: readonly string[], value: string): void {
  const existing = file.doc.getIn(keyPath, true);
  if (existing !== undefined && !isScalar(existing)) throw new SopsError(`${file.path}: ${keyPath.join('.')} holds a map or list, not a value`);
  file.doc.setIn(keyPath, new Scalar(encryptString(value, file.dataKey, additionalData(keyPath))));
  let parent = file.values;
  for (const p of keyPath.slice(0, -1)) parent = (isObject(parent[p]) ? parent[p] : (parent[p] = {})) as Record<string, unknown>;
  parent[keyPath.at(-1)!] = value;
}

/** Removes one value; false when there was none. */
export function removeValue(file: SopsFile, keyPath: readonly string[]): boolean {
  if (!isScalar(file.doc.getIn(keyPath, true))) return false;
  file.doc.deleteIn(keyPath);
  let parent: unknown = file.values;
  for (const p of keyPath.slice(0, -1)) parent = isObject(parent) ? parent[p] : undefined;
  if (isObject(parent)) delete parent[keyPath.at(-1)!];
  return true;
}

/** A new, empty file encrypted for these recipients: a fresh data key wrapped for each. */
export async function createSopsFile(path: string, recipients: readonly string[], rule: EncryptionRule): Promise<SopsFile> {
  const dataKey = new Uint8Array(randomBytes(32));
  const age = await Promise.all(recipients.map(async (recipient) => ({ recipient, enc: await wrapDataKey(dataKey, recipient) })));
  const meta: SopsMetadata = { age, lastmodified: '', mac: '', version: SOPS_FORMAT_VERSION, ...rule };
  return { path, doc: new Document({}), meta, dataKey, values: {} };
}

/** New lastmodified and MAC over every value, then an atomic write. */
export async function saveSopsFile(file: SopsFile): Promise<void> {
  const { meta, doc } = file;
  meta.lastmodified = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  meta.mac = encryptString(
    computeMac(leaves(doc, meta), (leaf) => valueAt(file.values, leaf.valuePath), meta.mac_only_encrypted === true),
    file.dataKey,
    meta.lastmodified,
  );
  doc.delete('sops');
  const { age, lastmodified, mac, version, ...rule } = meta;
  // In the order sops writes it (stores/stores.go), so files diff cleanly whoever wrote them last.
  const sops = doc.createNode({ age: age.map((a) => ({ recipient: a.recipient, enc: a.enc.endsWith('\n') ? a.enc : `${a.enc}\n` })), lastmodified, mac, ...rule, version });
  // Go's YAML decoder would read an unquoted timestamp as a time, not the string sops expects.
  const lm = sops.get('lastmodified', true) as Scalar;
  lm.type = Scalar.QUOTE_DOUBLE;
  doc.set('sops', sops);
  if (!isMap(doc.contents)) throw new SopsError(`${file.path}: the top level must be a map`);
  await writeFileAtomic(file.path, doc.toString({ indent: 4, lineWidth: 0 }), 0o644);
}
