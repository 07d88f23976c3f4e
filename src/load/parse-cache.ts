import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { clawctlCacheDir, keepInCache } from '../util/cache-dir.js';
import { sha256 } from '../util/hash.js';
import type { CleanPart } from './clean-docs.js';

/**
 * Fleet files already parsed, by the SHA-256 of their text. A cold YAML parse is slow: the
 * parser's code is not yet compiled, and a 100-document file takes 60–75 ms on its first
 * parse, 10 ms warm, so a plan of 50 hosts spent a tenth of its time there. A file whose text
 * is unchanged since it was parsed clean is read back as JSON instead. Only clean files are
 * kept (a file with an error is parsed to report it), and only data JSON holds exactly.
 * Positions come from the text itself when an error needs one (source-doc.ts), never from here.
 * An entry is its JSON's SHA-256, a newline, then the JSON: a disk error that leaves well-formed
 * JSON with another value in it would otherwise be taken as the fleet.
 */
const FORMAT = 2;
/** The cache holds this many files; a write beyond it drops the older half. */
const MAX_ENTRIES = 256;

const dir = () => join(clawctlCacheDir(), 'parsed');
const file = (hash: string) => join(dir(), `${hash}.json`);

interface Entry extends CleanPart {
  format: number;
  /** The text's length: a cheap second check that this entry is the file's. */
  length: number;
}

/** The file's documents as parsed before, or undefined: none kept, or one that does not hold up. */
export async function readParsed(hash: string, textLength: number): Promise<CleanPart | undefined> {
  let entry: Partial<Entry>;
  try {
    const kept = await readFile(file(hash), 'utf8');
    const cut = kept.indexOf('\n');
    const body = kept.slice(cut + 1);
    if (cut !== 64 || kept.slice(0, cut) !== sha256(body)) return undefined;
    entry = JSON.parse(body) as Partial<Entry>;
  } catch {
    return undefined;
  }
  if (entry.format !== FORMAT || entry.length !== textLength || !Array.isArray(entry.docs) || !Array.isArray(entry.lineStarts)) return undefined;
  const docs = entry.docs.filter((d) => Array.isArray(d?.range) && d.range.length === 2 && d.range.every((n) => Number.isInteger(n) && n >= 0 && n <= textLength));
  if (docs.length !== entry.docs.length || !entry.lineStarts.every((n) => Number.isInteger(n) && n >= 0 && n <= textLength)) return undefined;
  return { docs, lineStarts: entry.lineStarts };
}

/** Keep a clean file's documents for the next run; quietly not, when the data is not plain JSON or the cache is not writable. */
export async function writeParsed(hash: string, textLength: number, part: CleanPart): Promise<void> {
  if (!part.docs.every((d) => exactJson(d.data))) return;
  const entry: Entry = { format: FORMAT, length: textLength, ...part };
  await prune().catch(() => undefined);
  const body = JSON.stringify(entry);
  await keepInCache(file(hash), `${sha256(body)}\n${body}`);
}

/** Whether JSON round-trips `value` exactly: YAML's .inf, .nan and -0 do not survive it. Loops, not callbacks: it walks every value of the fleet. */
function exactJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!exactJson(item)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const item of Object.values(value)) if (!exactJson(item)) return false;
      return true;
    }
    default:
      return false;
  }
}

async function prune(): Promise<void> {
  const names = (await readdir(dir())).filter((n) => n.endsWith('.json'));
  if (names.length < MAX_ENTRIES) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir(), n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.t - b.t);
  await Promise.all(aged.slice(0, aged.length >> 1).map(({ n }) => rm(join(dir(), n), { force: true })));
}
