import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshHost } from './sshd.js';

/**
 * The pid in OpenClaw's gateway lock (<state dir>/tmp/openclaw-<uid>/gateway.state.lock: JSON,
 * then a line of its own), whether or not that process still runs; undefined without a lock.
 */
export function lockPid(host: SshHost, stateDir = '.openclaw'): number | undefined {
  try {
    const text = readFileSync(join(host.home, stateDir, 'tmp', `openclaw-${host.uid}`, 'gateway.state.lock'), 'utf8');
    return (JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for every purpose here.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Poll until check() holds, up to `seconds`; false if it never did. */
export async function eventually(check: () => boolean | Promise<boolean>, seconds: number): Promise<boolean> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return check();
}

/** Stop a gateway this test did not spawn itself (clawctl started it), by its pid. */
export async function killGateway(pid: number | undefined): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (await eventually(() => !isAlive(pid), 10)) return;
  process.kill(pid, 'SIGKILL');
  await eventually(() => !isAlive(pid), 10);
}
