import type { HostArch } from './host-arch.js';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostScript } from './host-script.js';
import { clawctlCacheDir } from '../util/cache-dir.js';
import { fetchError, NODE_VERSION, npmInstall } from './toolchain.js';

const run = promisify(execFile);

/**
 * What a host needs to run one OpenClaw version, made on the machine that runs clawctl and
 * streamed to the host over its SSH connection: hosts need no internet. One gzip'd tar per
 * version and architecture, kept in the cache with its SHA-256, which the host checks.
 */
export interface HostBundle {
  version: string;
  arch: HostArch;
  file: string;
  sha256: string;
  bytes: number;
}

export type HostBundleResult = { ok: true; bundle: HostBundle } | { ok: false; reason: string };

const WRAPPER = hostScript('openclaw-wrapper.sh');

/** One dir per bundle, holding the tarball and its SHA-256: renamed into place whole. */
function bundleDir(version: string, arch: HostArch): string {
  return join(clawctlCacheDir(), 'host-bundles', `openclaw-${version}-linux-${arch}`);
}

/** A bundle from the cache, without touching the network. */
export async function cachedHostBundle(version: string, arch: HostArch): Promise<HostBundle | undefined> {
  const dir = bundleDir(version, arch);
  const file = join(dir, 'bundle.tar.gz');
  if (!existsSync(join(dir, 'sha256'))) return undefined;
  const sha256 = (await readFile(join(dir, 'sha256'), 'utf8')).trim();
  return { version, arch, file, sha256, bytes: (await stat(file)).size };
}

const inFlight = new Map<string, Promise<HostBundleResult>>();

/**
 * The bundle for this version and machine: from the cache, else made once. npm fetches
 * `node-linux-<arch>` and `openclaw@version` from the registry (or CLAWCTL_NPM_REGISTRY) and
 * checks each tarball against the registry's integrity hash; the tree gets the wrapper that
 * runs OpenClaw with that Node, and is packed. Made in a temp dir and renamed into place.
 */
export function ensureHostBundle(version: string, arch: HostArch): Promise<HostBundleResult> {
  const key = `${version}/${arch}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = (async () => (await cachedHostBundle(version, arch).then((b) => (b ? { ok: true as const, bundle: b } : undefined))) ?? makeBundle(version, arch))();
    inFlight.set(key, pending);
    void pending.then((r) => r.ok || inFlight.delete(key));
  }
  return pending;
}

async function makeBundle(version: string, arch: HostArch): Promise<HostBundleResult> {
  const dir = bundleDir(version, arch);
  const out = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const tmp = join(out, 'tree');
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, 'package.json'), `${JSON.stringify({ name: 'clawctl-openclaw-host', private: true })}\n`);
    const env = { ...process.env };
    // Another machine kind: npm picks that platform's packages, and no install script runs here
    // for a machine it would not build for.
    const cross = arch !== process.arch || process.platform !== 'linux';
    const platform = cross ? ['--os=linux', `--cpu=${arch}`] : [];
    await npmInstall(tmp, `node-linux-${arch}@${NODE_VERSION}`, env, platform);
    if (!cross) env.PATH = `${join(tmp, 'node_modules', `node-linux-${arch}`, 'bin')}:${env.PATH ?? ''}`;
    await npmInstall(tmp, `openclaw@${version}`, env, cross ? [...platform, '--ignore-scripts'] : []);
    await mkdir(join(tmp, 'bin'));
    await writeFile(join(tmp, 'bin', 'openclaw'), WRAPPER);
    await chmod(join(tmp, 'bin', 'openclaw'), 0o755);
    await symlink(join('..', 'node_modules', `node-linux-${arch}`, 'bin', 'node'), join(tmp, 'bin', 'node'));
    // World-readable files, whatever umask this process has: the host's user runs them.
    await run('chmod', ['-R', 'u+rwX,go+rX,go-w', tmp]);
    await run('tar', ['-C', tmp, '--owner=0', '--group=0', '--numeric-owner', '-I', 'gzip -1', '-cf', join(out, 'bundle.tar.gz'), '.'], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    await rm(tmp, { recursive: true, force: true });
    await writeFile(join(out, 'sha256'), `${await sha256Of(join(out, 'bundle.tar.gz'))}\n`);
    // Another clawctl may have made it meanwhile: either whole copy is as good.
    await rename(out, dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    const bundle = await cachedHostBundle(version, arch);
    return bundle ? { ok: true, bundle } : { ok: false, reason: `openclaw ${version} for linux-${arch} was packed but ${dir} is incomplete` };
  } catch (err) {
    return { ok: false, reason: `could not fetch openclaw ${version} with node ${NODE_VERSION} for linux-${arch}: ${fetchError(err)}` };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (b) => hash.update(b))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
