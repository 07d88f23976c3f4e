import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, lchownSync, chownSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { SshHost } from './sshd.js';

/** Where test/setup/install-openclaw.sh put Node 24 and openclaw (.ci/run runs it). */
export const OPENCLAW_BIN = fileURLToPath(new URL('../../.cache/openclaw/bin', import.meta.url));

export function openclawInstalled(): boolean {
  return existsSync(join(OPENCLAW_BIN, 'openclaw')) && existsSync(join(OPENCLAW_BIN, 'node'));
}

/**
 * Where the host user's gateways write OpenClaw's rolling log: a directory of this test host's
 * own, not the shared /tmp/openclaw.
 *
 * OpenClaw has no environment variable for its log directory (docs/logging.md): it writes to
 * `logging.file` when the config sets one, else to /tmp/openclaw, else — when /tmp/openclaw is
 * not the user's own (owner, mode) — to os.tmpdir()/openclaw-<uid>. clawctl's `agents logs`
 * and `diagnose` read /tmp/openclaw and /tmp/openclaw-<uid> only, so neither `logging.file`
 * nor TMPDIR would leave them a log to read. Instead /tmp/openclaw is kept root's, and each
 * test user gets /tmp/openclaw-<uid>, emptied when its user is made and removed (startSshHost):
 * uids are reused, and a log left by an earlier user of the same uid is never appended to.
 */
export function openclawLogDir(host: SshHost): string {
  return `/tmp/openclaw-${host.uid}`;
}

/** Keep /tmp/openclaw from being any test user's, so each one logs under openclawLogDir(). */
export function keepSharedLogDirRoot(uid: number): void {
  mkdirSync('/tmp/openclaw', { recursive: true, mode: 0o755 });
  // Made by an earlier user of this reused uid: that user is gone, and this one must not inherit it.
  if (statSync('/tmp/openclaw').uid === uid) chownSync('/tmp/openclaw', 0, 0);
}

/** Make the test install the host user's OpenClaw: ~/.local/bin/{node,openclaw}. */
export function provideOpenclaw(host: SshHost): void {
  keepSharedLogDirRoot(host.uid);
  const logs = openclawLogDir(host);
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  chownSync(logs, host.uid, host.gid);
  const bin = join(host.home, '.local', 'bin');
  mkdirSync(bin, { recursive: true });
  for (const dir of [join(host.home, '.local'), bin]) chownSync(dir, host.uid, host.gid);
  for (const name of ['node', 'openclaw']) {
    const link = join(bin, name);
    if (!existsSync(link)) symlinkSync(join(OPENCLAW_BIN, name), link);
    lchownSync(link, host.uid, host.gid);
  }
}

function userEnv(host: SshHost): NodeJS.ProcessEnv {
  return { HOME: host.home, PATH: `${join(host.home, '.local', 'bin')}:/usr/bin:/bin`, USER: host.user };
}

/** Run the openclaw CLI as the host's user, as an operator logged in there would. */
export function openclawAs(host: SshHost, args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(join(host.home, '.local', 'bin', 'openclaw'), args, {
      uid: host.uid,
      gid: host.gid,
      cwd: host.home,
      env: userEnv(host),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    return { code: 0, out: out.toString() };
  } catch (err) {
    const e = err as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { code: e.status ?? 1, out: `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` };
  }
}

/** A foreground gateway as the host's user; stopped by its pid. */
export function startGateway(host: SshHost, port: number): ChildProcess {
  return spawn(join(host.home, '.local', 'bin', 'openclaw'), ['gateway', '--port', String(port)], {
    uid: host.uid,
    gid: host.gid,
    cwd: host.home,
    env: userEnv(host),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function stopGateway(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export async function waitReady(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
      last = `/readyz answered ${res.status}`;
    } catch (err) {
      last = `/readyz: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`; // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gateway on ${port} not ready after ${timeoutMs} ms (last: ${last})`);
}
