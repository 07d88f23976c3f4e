import type { AlertReceiver } from '../validate/manifests.js';
import { afterFailure, DEFAULT_MAX_PER_MINUTE, dueNow, recentSends, type Delivery } from './outbox.js';
import type { OpenedReceiver } from './receivers.js';
import { SendError, type Sender } from './sender.js';

/** A delivery as a cycle reports it: which message to whom, never its receiver's settings. */
export interface DeliveryReport {
  receiver: string;
  event: string;
  subject: string;
  status: 'firing' | 'resolved' | 'test';
  attempts: number;
}

export interface FailedDelivery extends DeliveryReport {
  error: string;
  /** When it is tried again; absent when it was given up. */
  nextAttemptAt?: string;
}

export interface FlushResult {
  outbox: Delivery[];
  sent: Record<string, string[]>;
  delivered: DeliveryReport[];
  /** Failed this cycle and kept for a later one, or given up (no nextAttemptAt). */
  failed: FailedDelivery[];
  /** Left for a later cycle by a receiver's rate limit or a wait after a failure. */
  waiting: number;
}

/** Tries within one cycle: at once, then after these waits (or a server's shorter retry-after). */
export const RETRY_DELAYS_MS = [1_000, 2_000];
/** The longest retry-after waited for inside a cycle; a longer one moves the try to a later cycle. */
const MAX_WAIT_IN_CYCLE_S = 10;

export interface FlushOptions {
  receivers: readonly AlertReceiver[];
  /** Opens (decrypts) only the receivers that have something to send now. */
  open(receivers: AlertReceiver[]): Promise<OpenedReceiver[]>;
  now(): Date;
  retryDelaysMs?: readonly number[];
}

/**
 * Send what is due from the outbox: each receiver's messages in order and within its rate
 * limit, receivers side by side. A failing receiver is retried with backoff and reported; it
 * never holds up another, and the loop goes on.
 */
export async function flushOutbox(outbox: readonly Delivery[], sent: Readonly<Record<string, string[]>>, opts: FlushOptions): Promise<FlushResult> {
  const start = opts.now();
  const byName = new Map(opts.receivers.map((r) => [r.name, r]));
  const failed: FailedDelivery[] = [];
  // A receiver no longer in the fleet has nobody to send to: its messages are given up.
  for (const d of outbox.filter((d) => !byName.has(d.receiver))) failed.push({ ...report(d, d.attempts), error: `receiver ${d.receiver} is no longer in the fleet's alerts` });
  const queues = opts.receivers.map((r) => {
    const recent = recentSends(sent[r.name] ?? [], start);
    const queue = outbox.filter((d) => d.receiver === r.name);
    return { r, recent, queue, due: dueNow(queue, recent.length, r.maxPerMinute ?? DEFAULT_MAX_PER_MINUTE, start) };
  });
  const opened = new Map((await opts.open(queues.filter((q) => q.due.length > 0).map((q) => q.r))).map((o) => [o.name, o]));
  const results = await Promise.all(queues.map((q) => sendQueue(q.queue, q.due, q.recent, opened.get(q.r.name), opts)));
  const delivered = results.flatMap((x) => x.delivered);
  failed.push(...results.flatMap((x) => x.failed));
  const left = results.flatMap((x) => x.queue);
  return {
    outbox: left,
    sent: Object.fromEntries(queues.map((q, i) => [q.r.name, results[i]!.recent]).filter(([, times]) => times!.length > 0)),
    delivered,
    failed,
    waiting: left.length - failed.filter((f) => f.nextAttemptAt).length,
  };
}

/** One receiver's due messages, in order; the first that fails stops the rest until its next try. */
async function sendQueue(queue: Delivery[], due: Delivery[], recent: string[], receiver: OpenedReceiver | undefined, opts: FlushOptions) {
  const delivered: DeliveryReport[] = [];
  const failed: FailedDelivery[] = [];
  const rest = new Map(queue.map((d) => [d, d]));
  if (!receiver) return { delivered, failed, recent, queue };
  for (const d of due) {
    const outcome = 'unavailable' in receiver ? { attempts: 0, error: new SendError(`${receiver.name} cannot send: ${receiver.unavailable}`, false) } : await tryHard(receiver.sender, d, opts);
    if (outcome.error === undefined) {
      delivered.push(report(d, d.attempts + outcome.attempts));
      recent.push(opts.now().toISOString());
      rest.delete(d);
      continue;
    }
    const next = afterFailure(d, outcome.attempts, outcome.error.message, opts.now(), outcome.error.retryAfterSeconds);
    failed.push({ ...report(d, d.attempts + outcome.attempts), error: outcome.error.message, ...(next?.nextAttemptAt ? { nextAttemptAt: next.nextAttemptAt } : {}) });
    if (next) rest.set(d, next);
    else rest.delete(d);
    break;
  }
  return { delivered, failed, recent, queue: [...rest.values()] };
}

/** One message, tried again inside the cycle while the failure is one that waiting can cure. */
async function tryHard(sender: Sender, d: Delivery, opts: FlushOptions): Promise<{ attempts: number; error?: SendError }> {
  const delays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await sender.send(d.message);
      return { attempts: attempt };
    } catch (err) {
      const error = err instanceof SendError ? err : new SendError(String(err), true);
      const wait = Math.max(delays[attempt - 1] ?? Infinity, (error.retryAfterSeconds ?? 0) * 1000);
      if (!error.retryable || attempt > delays.length || (error.retryAfterSeconds ?? 0) > MAX_WAIT_IN_CYCLE_S) return { attempts: attempt, error };
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function report(d: Delivery, attempts: number): DeliveryReport {
  return { receiver: d.receiver, event: d.message.event, subject: d.message.subject, status: d.message.status, attempts };
}
