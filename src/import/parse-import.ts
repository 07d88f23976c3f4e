import { parseJson5Source } from '../load/json5-source.js';
import { parseDotenv } from '../openclaw/dotenv.js';
import { CONFIG_FILE, ENV_FILE, profileOfStateDir } from '../openclaw/paths.js';
import { formatPos } from '../util/errors.js';
import { isObject, type JsonObject } from '../util/json.js';
import { Sensitive } from '../util/sensitive.js';

/** One OpenClaw state dir as import found it, read only. */
export interface FoundStateDir {
  stateDir: string;
  profile?: string;
  /** openclaw.json: its text as written (comments kept) and its data; null when there is none. */
  config: { text: string; value: JsonObject; mode: string } | null;
  /** .env values: secrets, held so that no text form of them shows the value. */
  env: { entries: Record<string, Sensitive>; mode: string } | null;
  /** The owner line of an ownership marker a clawctl apply wrote (`fleet=… agent=…`). */
  managed?: string;
  /** OpenClaw's stored cron jobs (its own JSON shape), or why they could not be read. */
  cron: { jobs: unknown[] } | { error: string };
}

/** Something on the host import cannot adopt: named, with the host, and never acted upon. */
export interface ImportProblem {
  stateDir?: string;
  message: string;
  hint?: string;
}

export interface ImportFacts {
  openclawVersion?: string;
  dirs: FoundStateDir[];
  problems: ImportProblem[];
}

export class ImportFactsError extends Error {}

/** The largest file import reads: configs and .env files are kilobytes; anything past this is not one. */
export const MAX_FILE_BYTES = 1024 * 1024;

const BLOB = Buffer.from('\nblob\n');
const HEADER = 'CLAWCTL-IMPORT 1';
const STATE_DIR = /^\.openclaw(?:-[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)?$/;

interface Listed {
  path: string;
  mode: string;
  size: number;
  type: 'file' | 'dir' | 'link' | 'other';
}

/**
 * Pure: host-scripts/import.sh's stdout → what each state dir holds, and the problems found.
 * Every message names the host; values of .env files are never put into one.
 */
export function parseImport(stdout: Buffer, host: string, maxBytes = MAX_FILE_BYTES): ImportFacts {
  const at = stdout.indexOf(BLOB);
  const head = (at < 0 ? stdout : stdout.subarray(0, at)).toString('utf8').split('\n');
  if (head[0] !== HEADER) throw new ImportFactsError(`host ${host}: unexpected import output: ${JSON.stringify(head[0]?.slice(0, 80))}`);
  if (at < 0) throw new ImportFactsError(`host ${host}: import output ended early; was the connection cut?`);
  const problems: ImportProblem[] = [];
  const listed: Listed[] = [];
  const cron = new Map<string, FoundStateDir['cron']>();
  for (const line of head.slice(1)) {
    const [tag, first, rest] = splitWords(line);
    if (tag === 'badname') {
      problems.push({
        message: `host ${host}: ~/${first} is not an OpenClaw state dir clawctl can manage: a profile must be a DNS label (lowercase letters, digits, '-', at most 63)`,
        hint: 'rename or remove it on the host; it is not imported',
      });
    } else if ((tag === 'cron' || tag === 'cronerr') && STATE_DIR.test(first)) {
      cron.set(first, cronEntry(tag, rest));
    } else if (tag === 'file') {
      const m = /^file (\d+) (\d+) ([0-9a-f]+) (.+)$/.exec(line);
      if (m) listed.push({ mode: m[1]!, size: Number(m[2]), path: m[4]!, type: fileType(parseInt(m[3]!, 16)) });
    }
  }
  const contents = blobContents(stdout.subarray(at + BLOB.length), listed, maxBytes, host);
  const byPath = new Map(listed.map((l) => [l.path, l]));
  const dirs: FoundStateDir[] = [];
  for (const entry of listed.filter((l) => STATE_DIR.test(l.path))) {
    const problem = dirProblem(entry);
    if (problem) {
      problems.push({
        stateDir: entry.path,
        message: `host ${host}: ~/${entry.path} ${problem}`,
        hint: "clawctl never reads or writes an agent's files through a link; on the host, make it a real directory (or remove it), then import again",
      });
      continue;
    }
    const found = readStateDir(entry.path, byPath, contents, host, maxBytes, cron.get(entry.path));
    if ('problem' in found) problems.push({ stateDir: entry.path, ...found.problem });
    else dirs.push(found.dir);
  }
  const version = openclawVersion(listed, contents);
  return { ...(version ? { openclawVersion: version } : {}), dirs, problems };
}

function splitWords(line: string): [string, string, string] {
  const [tag = '', first = '', ...rest] = line.split(' ');
  return [tag, first, rest.join(' ')];
}

function fileType(raw: number): Listed['type'] {
  switch (raw & 0xf000) {
    case 0x8000:
      return 'file';
    case 0x4000:
      return 'dir';
    case 0xa000:
      return 'link';
    default:
      return 'other';
  }
}

function cronEntry(tag: string, base64: string): FoundStateDir['cron'] {
  if (base64 === 'nonode') return { error: "no node on the host to read OpenClaw's state database with" };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return { error: 'the cron store could not be read' };
  }
  if (tag === 'cronerr') return { error: typeof value === 'string' ? value.slice(0, 300) : 'the cron store could not be read' };
  return Array.isArray(value) ? { jobs: value } : { error: 'the cron store is not a list of jobs' };
}

/** The script reads exactly the regular files of at most maxBytes, in the order stat listed them. */
function blobContents(blob: Buffer, listed: readonly Listed[], maxBytes: number, host: string): Map<string, Buffer> {
  const read = listed.filter((l) => l.type === 'file' && l.size <= maxBytes);
  const total = read.reduce((n, f) => n + f.size, 0);
  if (blob.length !== total) throw new ImportFactsError(`host ${host}: files changed while they were being read; import again`);
  const out = new Map<string, Buffer>();
  let offset = 0;
  for (const f of read) {
    out.set(f.path, blob.subarray(offset, offset + f.size));
    offset += f.size;
  }
  return out;
}

function dirProblem(entry: Listed): string | undefined {
  if (entry.type === 'link') return 'is a symbolic link';
  if (entry.type !== 'dir') return 'is not a directory';
  return undefined;
}

function readStateDir(
  stateDir: string,
  byPath: ReadonlyMap<string, Listed>,
  contents: ReadonlyMap<string, Buffer>,
  host: string,
  maxBytes: number,
  cron: FoundStateDir['cron'] | undefined,
): { dir: FoundStateDir } | { problem: Omit<ImportProblem, 'stateDir'> } {
  const text: Record<string, string | undefined> = {};
  for (const name of [CONFIG_FILE, ENV_FILE, '.clawctl-managed']) {
    const path = `${stateDir}/${name}`;
    const entry = byPath.get(path);
    if (!entry) continue;
    if (entry.type !== 'file') {
      return {
        problem: {
          message: `host ${host}: ~/${path} is ${entry.type === 'link' ? 'a symbolic link' : 'not a regular file'}`,
          hint: "clawctl never reads or writes an agent's files through a link; on the host, make it a real file, then import again",
        },
      };
    }
    if (entry.size > maxBytes) {
      return {
        problem: { message: `host ${host}: ~/${path} is ${entry.size} bytes, more than the ${maxBytes} import reads`, hint: 'an OpenClaw config or .env is kilobytes; look at the file on the host' },
      };
    }
    text[name] = contents.get(path)!.toString('utf8');
  }
  let config: FoundStateDir['config'] = null;
  const configText = text[CONFIG_FILE];
  if (configText !== undefined) {
    const parsed = parseJson5Source(`${host}:~/${stateDir}/${CONFIG_FILE}`, configText);
    if (!parsed.ok)
      return {
        problem: {
          message: `host ${host}: ~/${stateDir}/${CONFIG_FILE} cannot be imported: ${parsed.problems.map((d) => (d.pos ? `${formatPos(d.pos)}: ${d.message}` : d.message)).join('; ')}`,
          hint: 'fix the file on the host (OpenClaw would refuse it too), then import again',
        },
      };
    if (!isObject(parsed.doc.data)) return { problem: { message: `host ${host}: ~/${stateDir}/${CONFIG_FILE} is not a JSON object` } };
    config = { text: configText, value: parsed.doc.data, mode: byPath.get(`${stateDir}/${CONFIG_FILE}`)!.mode };
  }
  const envText = text[ENV_FILE];
  const env: FoundStateDir['env'] =
    envText === undefined
      ? null
      : {
          // Keyed by nothing: these hashes are never shown, the values only moved into SOPS.
          entries: Object.fromEntries(Object.entries(parseDotenv(envText)).map(([k, v]) => [k, new Sensitive(v, 'clawctl-import')])),
          mode: byPath.get(`${stateDir}/${ENV_FILE}`)!.mode,
        };
  const profile = profileOfStateDir(stateDir);
  const managed = text['.clawctl-managed']?.split('\n')[0]?.trim();
  return {
    dir: {
      stateDir,
      ...(profile ? { profile } : {}),
      config,
      env,
      ...(managed ? { managed } : {}),
      cron: cron ?? { jobs: [] },
    },
  };
}

function openclawVersion(listed: readonly Listed[], contents: ReadonlyMap<string, Buffer>): string | undefined {
  for (const l of listed) {
    if (!l.path.endsWith('/package.json')) continue;
    try {
      const pkg = JSON.parse(contents.get(l.path)?.toString('utf8') ?? '') as unknown;
      if (isObject(pkg) && pkg.name === 'openclaw' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not OpenClaw's package.json
    }
  }
  return undefined;
}
