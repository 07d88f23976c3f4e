import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clawctlStateDir } from '../load/repo-root.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { ClawctlError } from '../util/errors.js';
import { isObject } from '../util/json.js';
import type { Incidents } from './incidents.js';
import type { Delivery } from './outbox.js';

/**
 * What alerting keeps between cycles and across restarts of watch (and between `watch --once`
 * runs): open and pending incidents, messages not yet delivered, recent sends for the rate
 * limit. Never a secret: messages are built from plans and observations only.
 */
export interface AlertState {
  version: 1;
  incidents: Incidents;
  outbox: Delivery[];
  /** Per receiver, its sends in the last minute. */
  sent: Record<string, string[]>;
}

export const EMPTY_ALERT_STATE: AlertState = { version: 1, incidents: {}, outbox: [], sent: {} };

export const alertStatePath = (fleetDir: string): string => join(clawctlStateDir(fleetDir), 'state', 'alerts.json');

export async function readAlertState(fleetDir: string): Promise<AlertState> {
  const path = alertStatePath(fleetDir);
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return EMPTY_ALERT_STATE;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!isObject(data) || data.version !== 1 || !isObject(data.incidents) || !Array.isArray(data.outbox) || !isObject(data.sent)) {
    throw new ClawctlError(`${path} is not an alerts state file clawctl can read`, [
      { message: `${path}: not an alerts state file (version 1)`, hint: 'move it aside: watch then starts without incidents, and sends a message for each failure it finds open' },
    ]);
  }
  return data as unknown as AlertState;
}

/** Replaced atomically: a watch killed mid-write leaves the old state or the new, never half. */
export async function writeAlertState(fleetDir: string, state: AlertState): Promise<void> {
  const path = alertStatePath(fleetDir);
  await mkdir(join(clawctlStateDir(fleetDir), 'state'), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
