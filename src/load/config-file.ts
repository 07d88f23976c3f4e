import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../util/errors.js';
import { deepMerge, isObject, type JsonObject, type JsonValue } from '../util/json.js';
import type { DataPath, SourceDoc } from './source-doc.js';

/** Where part of a rendered config came from: `configPath` in the config is `docPath` in `doc`. */
export interface ConfigOrigin {
  doc: SourceDoc;
  docPath: DataPath;
  configPath: DataPath;
}

/** An agent's `configFile` with every `$include` resolved, and the origin of each part (later origins win). */
export interface LoadedConfigFile {
  data: JsonObject;
  origins: ConfigOrigin[];
}

/** OpenClaw's own limits for includes. */
const MAX_DEPTH = 10;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const INCLUDE = '$include';

type Loaded = { ok: true; file: LoadedConfigFile } | { ok: false; problems: Diagnostic[] };

/**
 * Read an OpenClaw config file from the fleet repo and resolve its `$include`s as OpenClaw
 * does (a single file replaces the object holding it, a list is deep-merged in order with
 * arrays joined, sibling keys merge over the included content, paths are relative to the
 * including file), so the host gets one self-contained openclaw.json. Every file must stay
 * inside `root` (the fleet directory), also through symlinks.
 */
export async function loadConfigFile(path: string, root: string, cwd: string, namedAt: { doc: SourceDoc; path: DataPath }): Promise<Loaded> {
  const problems: Diagnostic[] = [];
  const origins: ConfigOrigin[] = [];
  const realRoot = await realpath(root);

  const readDoc = async (file: string, from: { doc: SourceDoc; path: DataPath }, chain: string[]): Promise<SourceDoc | undefined> => {
    const fail = (message: string, hint?: string): undefined => {
      problems.push({ pos: from.doc.locate(from.path), message, ...(hint ? { hint } : {}) });
      return undefined;
    };
    const shown = relative(cwd, file) || file;
    if (chain.includes(file)) return fail(`circular $include: ${[...chain, file].map((f) => relative(cwd, f)).join(' -> ')}`);
    if (chain.length > MAX_DEPTH) return fail(`$include nested more than ${MAX_DEPTH} levels deep at ${shown}`);
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return fail(`${shown}: no such file`, 'paths are relative to the file that names them');
    }
    if (!inside(realRoot, real)) return fail(`${shown} is outside the fleet directory ${root}`, 'config files and their includes must live in the fleet repo, so a plan is bound to them');
    if ((await stat(real)).size > MAX_FILE_BYTES) return fail(`${shown} is larger than ${MAX_FILE_BYTES} bytes, OpenClaw's limit for a config file`);
    // The JSON5 parser is loaded only by fleets that have config files: start-up stays lean.
    const { parseJson5Source } = await import('./json5-source.js');
    const parsed = parseJson5Source(shown, await readFile(real, 'utf8'));
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      return undefined;
    }
    if (!isObject(parsed.doc.data) && chain.length === 0) return fail(`${shown}: an OpenClaw config must be an object`);
    return parsed.doc;
  };

  const resolveNode = async (value: unknown, doc: SourceDoc, docPath: DataPath, configPath: DataPath, file: string, chain: string[]): Promise<JsonValue> => {
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveNode(v, doc, [...docPath, i], [...configPath, i], file, chain)));
    if (!isObject(value)) return value as JsonValue;
    let included: JsonValue | undefined;
    if (INCLUDE in value) {
      const spec = value[INCLUDE];
      const names = typeof spec === 'string' ? [spec] : Array.isArray(spec) && spec.every((s) => typeof s === 'string') ? (spec as string[]) : undefined;
      if (!names) {
        problems.push({ pos: doc.locate([...docPath, INCLUDE]), message: '$include must be a path or a list of paths' });
      } else {
        for (const [i, name] of names.entries()) {
          const target = isAbsolute(name) ? name : resolve(dirname(file), name);
          const at = { doc, path: typeof spec === 'string' ? [...docPath, INCLUDE] : [...docPath, INCLUDE, i] };
          const part = await readDoc(target, at, [...chain, file]);
          if (!part) continue;
          const resolved = await resolveNode(part.data, part, [], configPath, target, [...chain, file]);
          origins.push({ doc: part, docPath: [], configPath });
          included = included === undefined || typeof spec === 'string' ? resolved : mergeIncluded(included, resolved, doc, docPath);
        }
      }
    }
    const own: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if (key !== INCLUDE) own[key] = await resolveNode(v, doc, [...docPath, key], [...configPath, key], file, chain);
    }
    if (included === undefined) return own;
    return Object.keys(own).length === 0 ? included : mergeIncluded(included, own, doc, docPath);
  };

  const mergeIncluded = (base: JsonValue, over: JsonValue, doc: SourceDoc, docPath: DataPath): JsonValue => {
    if (isObject(base) && isObject(over)) return deepMerge(base, over, { arrays: 'concat' });
    problems.push({ pos: doc.locate([...docPath, INCLUDE]), message: 'keys beside $include, or a list of includes, need every included file to hold an object' });
    return over;
  };

  const top = await readDoc(path, namedAt, []);
  if (!top) return { ok: false, problems };
  const data = await resolveNode(top.data, top, [], [], path, []);
  origins.push({ doc: top, docPath: [], configPath: [] });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, file: { data: data as JsonObject, origins } };
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}
