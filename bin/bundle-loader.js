// Loads dist/bundle/clawctl.cjs (scripts/build-bundle.mjs) as Node loads CommonJS, but through
// a vm.Script with a V8 code cache: later runs skip parsing and compiling what an earlier run
// of the same command compiled (~2 MB of JavaScript; Node 20 caches nothing for ES modules).
// The cache lives in ~/.cache/clawctl/code-cache (XDG_CACHE_HOME honoured), one file per
// command word, keyed by the Node binary and the bundle; V8 rejects one made under other flags,
// and it is written again. V8 does not check the bytes themselves (a flipped bit is a fatal
// error, not a rejection), so each file carries a SHA-256 of its data, checked before use.
// Any failure here only costs speed.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const BUNDLE = fileURLToPath(new URL('../dist/bundle/clawctl.cjs', import.meta.url));

/** The bundle's exports once loaded: oclif's `execute` and the command classes, each loaded when asked for. */
let loaded;

/** The bundle's exports, or undefined for a build without one (oclif then runs from node_modules). */
export function loadBundle(argv = process.argv.slice(2)) {
  if (!existsSync(BUNDLE)) return undefined;
  const source = readFileSync(BUNDLE, 'utf8');
  const cache = cacheFile(argv[0]);
  const cachedData = cache ? readCache(cache) : undefined;
  // The CommonJS wrapper, with one more parameter: the import() the bundle's code calls.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __clawctlImport) {${source}\n})`, { filename: BUNDLE, cachedData });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, module.createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE), (specifier) => import(specifier));
  loaded = mod.exports;
  // Written at exit, so that it holds the functions this command compiled, not only the top level.
  if (cache && (cachedData === undefined || script.cachedDataRejected)) process.once('exit', () => writeCache(cache, script));
  return loaded;
}

/** A shim's command class (dist/bundle/commands/*.js): from the bundle, or its dist/ module without one. */
export async function bundledCommand(id, unbundled) {
  const mod = loaded ? await loaded.commands[id]() : await unbundled();
  return mod.default;
}

const DIGEST_BYTES = 32;
const digest = (data) => createHash('sha256').update(data).digest();

function cacheFile(word) {
  try {
    // The Node binary and the bundle, each by path, size and time: two builds of one Node
    // version can differ in what V8 compiles, and so can two builds of the bundle.
    const key = [process.execPath, BUNDLE]
      .map((path) => {
        const { size, mtimeMs } = statSync(path);
        return `${path}:${size}:${mtimeMs}`;
      })
      .join('|');
    const id = createHash('sha256').update(`${process.version} ${process.arch} ${key}`).digest('hex').slice(0, 16);
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'clawctl', 'code-cache');
    const command = word && /^[a-z][a-z-]{0,40}$/.test(word) ? word : 'root';
    return join(dir, `${id}-${command}.bin`);
  } catch {
    return undefined;
  }
}

/** The cache's data when its digest holds; nothing for a missing, short or damaged file. */
function readCache(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= DIGEST_BYTES) return undefined;
  const data = bytes.subarray(DIGEST_BYTES);
  return digest(data).equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

function writeCache(file, script) {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Caches of other builds or Node versions are dead weight: one build's caches are kept.
    const prefix = file.slice(dir.length + 1).replace(/-[a-z-]+\.bin$/, '-');
    for (const name of readdirSync(dir)) if (!name.startsWith(prefix)) rmSync(join(dir, name), { force: true });
    // A new file of our own (wx: never through a planted link), then renamed over the old.
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      const data = script.createCachedData();
      writeSync(fd, digest(data));
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    // a cache that cannot be written only costs the next run its speed
  }
}
