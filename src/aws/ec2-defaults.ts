import { createHash } from 'node:crypto';

/** The tags by which clawctl finds its instances again: no state file. */
export const FLEET_TAG = 'clawctl:fleet';
export const HOST_TAG = 'clawctl:host';

/** The root volume when the Host names no size. */
export const EC2_ROOT_VOLUME_GIB = 20;

/**
 * The machine an instance type runs on, as `uname -m` names it: Graviton families carry a `g`
 * after their generation (t4g, m7g, c8gd…), as do a few others; the rest are x86_64.
 */
export function archOfInstanceType(instanceType: string): 'aarch64' | 'x86_64' {
  const family = instanceType.split('.')[0] ?? '';
  return /^[a-z]+\d+g[a-z]*$/.test(family) || family === 'a1' ? 'aarch64' : 'x86_64';
}

/**
 * RunInstances' idempotency token: the same for the same fleet, host and host key, so a
 * retried apply (or the SDK's own retry) gets the instance the first try made, never a second.
 * `attempt` moves past an instance that token already made and that has since been terminated.
 */
export function clientToken(fleet: string, host: string, hostKey: string, attempt = 0): string {
  const digest = createHash('sha256')
    .update(`${fleet}\0${host}\0${hostKey.split(' ').slice(0, 2).join(' ')}\0${attempt}`)
    .digest('hex');
  return `clawctl-${digest.slice(0, 48)}`;
}

/** How long a new instance may take to run and answer over SSH with its pinned key (CLAWCTL_EC2_BOOT_SECONDS). */
export const EC2_BOOT_SECONDS = 600;
