import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, lchownSync, chownSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { SshHost } from './sshd.js';

/** Where test/setup/install-openclaw.sh put Node 24 and openclaw (.ci/run runs it). */
export const OPENCLAW_BIN = fileURLToPath(new URL('../../.cache/openclaw/bin', import.meta.url));

export function openclawInstalled(): boolean {
  return existsSync(join(OPENCLAW_BIN, 'openclaw')) && existsSync(join(OPENCLAW_BIN, 'node'));
}

/** Make the test install the host user's OpenClaw: ~/.local/bin/{node,openclaw}. */
export function provideOpenclaw(host: SshHost): void {
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
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gateway on ${port} not ready after ${timeoutMs} ms`);
}
