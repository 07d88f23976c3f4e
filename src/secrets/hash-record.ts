import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../util/atomic-file.js';
import { keyedHash } from '../util/hash.js';
import { isObject } from '../util/json.js';

/**
 * The fleet's record of its secrets' keyed hashes (HMAC-SHA256 with the fleet's hash key),
 * by reference (`secrets/prod.sops.yaml#OPENAI_API_KEY`, `aws:prod/openai#KEY`). Written by
 * `secrets set|rotate|rm|rehash`, read by every plan, so that plan, status, diagnose and an
 * agent proposing a change compare .env files without decrypting anything. Only apply
 * decrypts, and it refuses a record that does not match the values (a hand edit).
 */
export const HASH_RECORD = join('secrets', 'clawctl-hashes.yaml');

export interface HashRecord {
  /** The keyed hash of a fixed text: tells a wrong CLAWCTL_HASH_KEY from a changed secret. */
  keyCheck: string;
  hashes: Record<string, string>;
}

const HEADER = `# Written by clawctl secrets set|rotate|rm|rehash. Keyed hashes of secret values, so plans can
# compare .env files without decrypting. Never edit by hand: apply refuses a record that does not
# match the values it decrypts.
`;

export function keyCheckOf(hashKey: string): string {
  return keyedHash('clawctl hash record', hashKey);
}

export async function readHashRecord(fleetDir: string): Promise<HashRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(fleetDir, HASH_RECORD), 'utf8');
  } catch {
    return undefined;
  }
  // Every scalar a string: a hash of digits only must not be read as a number.
  const data: unknown = parse(text, { schema: 'failsafe' });
  if (!isObject(data) || typeof data.keyCheck !== 'string' || !isObject(data.hashes)) return undefined;
  const hashes: Record<string, string> = {};
  for (const [ref, hash] of Object.entries(data.hashes)) if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) hashes[ref] = hash;
  return { keyCheck: data.keyCheck, hashes };
}

/** Change some entries (a hash, or undefined to drop one) and write the record atomically, sorted for clean diffs. */
export async function updateHashRecord(fleetDir: string, hashKey: string, changes: Readonly<Record<string, string | undefined>>): Promise<void> {
  const current = await readHashRecord(fleetDir);
  // A record made with another hash key is worthless: start again rather than mix keys.
  const hashes = current?.keyCheck === keyCheckOf(hashKey) ? { ...current.hashes } : {};
  for (const [ref, hash] of Object.entries(changes)) {
    if (hash === undefined) delete hashes[ref];
    else hashes[ref] = hash;
  }
  const sorted = Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)));
  await mkdir(dirname(join(fleetDir, HASH_RECORD)), { recursive: true });
  await writeFileAtomic(join(fleetDir, HASH_RECORD), HEADER + stringify({ keyCheck: keyCheckOf(hashKey), hashes: sorted }), 0o644);
}
