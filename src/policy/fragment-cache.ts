import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { clawctlCacheDir, keepInCache } from '../util/cache-dir.js';
import { sha256 } from '../util/hash.js';

/**
 * Policy `schema` rules, compiled once: ajv's compiler costs ~100 ms to load and tens of ms per
 * fragment, on every run. A fragment compiled before is read back as ajv's standalone code from
 * ~/.cache/clawctl/policy-schemas/<sha256 of ajv, its options and the fragment>.cjs; only a
 * fleet with a new or changed fragment loads the compiler. A fragment that does not compile is
 * never kept: its error is reported on every run.
 */

/** Fragments are user text: unknown keywords are errors (typos), type strictness is not. */
const AJV_OPTIONS = { allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true } as const;
/** Resolves ajv's runtime helpers, which standalone code requires, from clawctl's own packages. */
const requireHere = createRequire(import.meta.url);
const KEY_PREFIX = `ajv ${(requireHere('ajv/package.json') as { version: string }).version} ${JSON.stringify(AJV_OPTIONS)}\n`;

export interface FragmentCompiler {
  /** The fragment's validator; throws ajv's error for a fragment that does not compile. */
  compile(schema: object): ValidateFunction;
  /** Keep what was compiled for the next run (quietly not, where the cache is not writable). */
  flush(): Promise<void>;
}

/** A compiler for these fragments: ajv's is loaded only when one of them is not cached. */
export async function fragmentCompiler(schemas: readonly object[]): Promise<FragmentCompiler> {
  const known = new Map<string, ValidateFunction>();
  for (const schema of schemas) {
    const key = keyOf(schema);
    const cached = known.has(key) ? undefined : cachedValidator(key);
    if (cached) known.set(key, cached);
  }
  const ajv = schemas.every((s) => known.has(keyOf(s))) ? undefined : await loadAjv();
  const fresh = new Map<string, string>();
  return {
    compile(schema) {
      const key = keyOf(schema);
      const found = known.get(key);
      if (found) return found;
      if (!ajv) throw new Error('a fragment the compiler was not made for');
      const validate = ajv.compiler.compile(schema);
      known.set(key, validate);
      fresh.set(key, ajv.standalone(validate));
      return validate;
    },
    flush: async () => {
      await Promise.all([...fresh].map(([key, code]) => keepInCache(join(dir(), `${key}.cjs`), code)));
    },
  };
}

const keyOf = (schema: object) => sha256(KEY_PREFIX + JSON.stringify(schema));
const dir = () => join(clawctlCacheDir(), 'policy-schemas');

async function loadAjv(): Promise<{ compiler: Ajv2020; standalone: (v: ValidateFunction) => string }> {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: addFormats } = await import('ajv-formats');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const compiler = new Ajv2020({ ...AJV_OPTIONS, code: { source: true } });
  addFormats.default(compiler);
  return { compiler, standalone: (v) => standaloneCode.default(compiler, v) };
}

/** The validator kept under this key, or undefined: none, or code that does not load. */
function cachedValidator(key: string): ValidateFunction | undefined {
  try {
    const code = readFileSync(join(dir(), `${key}.cjs`), 'utf8');
    // ajv's standalone code is a CommonJS module.
    const mod: { exports: unknown } = { exports: {} };
    new Function('module', 'exports', 'require', code)(mod, mod.exports, requireHere);
    return typeof mod.exports === 'function' ? (mod.exports as ValidateFunction) : undefined;
  } catch {
    return undefined;
  }
}
