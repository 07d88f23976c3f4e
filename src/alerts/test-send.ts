import type { AuditSink } from '../audit/audit-log.js';
import { loadFleet } from '../load/load-fleet.js';
import { ClawctlError } from '../util/errors.js';
import { validateFleet } from '../validate/validate-fleet.js';
import { flushOutbox } from './deliver.js';
import { testMessage } from './message.js';
import { kindOf, openReceivers, type ReceiverKind } from './receivers.js';

/** `clawctl alerts test RECEIVER --json`. */
export interface AlertsTestResult {
  receiver: string;
  kind: ReceiverKind;
  delivered: boolean;
  attempts: number;
  /** Why it was not delivered: the receiver's answer, or a secret this process cannot decrypt. */
  error?: string;
}

/**
 * Send one test message through one receiver, as watch would (its secrets decrypted here,
 * retried inside the run), but outside watch's state: no incident, no rate limit.
 */
export async function sendTestAlert(fleetDir: string, name: string, audit: AuditSink, now = new Date()): Promise<AlertsTestResult> {
  const manifests = await validateFleet(await loadFleet(fleetDir));
  const receivers = manifests.fleet.manifest.spec.alerts ?? [];
  const receiver = receivers.find((r) => r.name === name);
  if (!receiver) {
    throw new ClawctlError(`no alert receiver named ${name}`, [
      {
        pos: manifests.fleet.source.locate(receivers.length > 0 ? ['spec', 'alerts'] : ['spec']),
        message: `the Fleet has no alert receiver "${name}"`,
        hint: receivers.length > 0 ? `its receivers: ${receivers.map((r) => r.name).join(', ')}` : 'add one under spec.alerts',
      },
    ]);
  }
  const message = testMessage(name, manifests.fleet.manifest.metadata.name, now);
  const flushed = await flushOutbox([{ receiver: name, message, attempts: 0, rounds: 0 }], {}, { receivers: [receiver], open: (rs) => openReceivers(fleetDir, rs, audit), now: () => new Date() });
  const sent = flushed.delivered[0];
  const failed = flushed.failed[0];
  return { receiver: name, kind: kindOf(receiver), delivered: sent !== undefined, attempts: sent?.attempts ?? failed?.attempts ?? 0, ...(failed ? { error: failed.error } : {}) };
}
