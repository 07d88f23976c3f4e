import { selects } from '../policy/selector.js';
import type { AlertReceiver } from '../validate/manifests.js';
import type { Transition } from './incidents.js';
import { transitionMessage, type AlertMessage } from './message.js';

/** One message owed to one receiver, kept in the alerts state file until it is sent or given up. */
export interface Delivery {
  receiver: string;
  message: AlertMessage;
  /** Sends tried so far. */
  attempts: number;
  /** Cycles in which every try failed: the wait before the next doubles with each. */
  rounds: number;
  firstTriedAt?: string;
  /** Not tried again before this. */
  nextAttemptAt?: string;
  lastError?: string;
}

export const DEFAULT_MAX_PER_MINUTE = 20;
/** Waits between failed cycles: 30 s, doubling, at most 30 minutes. */
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;
/** A message still undelivered this long after its first try is given up, and reported. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;

/** Pure: each transition → a delivery for every receiver whose events and selector take it, in receiver order. */
export function route(receivers: readonly AlertReceiver[], transitions: readonly Transition[], fleet: string): Delivery[] {
  return transitions.flatMap((t) => {
    const message = transitionMessage(t, fleet);
    return receivers.filter((r) => (!r.events || r.events.includes(t.incident.event)) && selects(r.selector, t.incident.labels)).map((r) => ({ receiver: r.name, message, attempts: 0, rounds: 0 }));
  });
}

/** Send times within the last minute, the window maxPerMinute counts. */
export function recentSends(times: readonly string[], now: Date): string[] {
  return times.filter((t) => now.getTime() - Date.parse(t) < MINUTE_MS);
}

/**
 * Pure: which of one receiver's deliveries are tried now. They go in order: none passes one
 * still waiting after a failure, and no more than its rate limit leaves this minute.
 */
export function dueNow(queue: readonly Delivery[], sentLastMinute: number, maxPerMinute: number, now: Date): Delivery[] {
  const waiting = queue.findIndex((d) => d.nextAttemptAt !== undefined && Date.parse(d.nextAttemptAt) > now.getTime());
  return queue.slice(0, waiting === -1 ? queue.length : waiting).slice(0, Math.max(0, maxPerMinute - sentLastMinute));
}

/**
 * Pure: a delivery after a cycle whose tries all failed: the next try waits (the server's
 * retry-after when longer), or, a day after the first try, it is given up (undefined).
 */
export function afterFailure(d: Delivery, attempts: number, error: string, now: Date, retryAfterSeconds?: number): Delivery | undefined {
  const firstTriedAt = d.firstTriedAt ?? now.toISOString();
  if (now.getTime() - Date.parse(firstTriedAt) >= GIVE_UP_AFTER_MS) return undefined;
  const rounds = d.rounds + 1;
  const wait = Math.max(Math.min(BACKOFF_BASE_MS * 2 ** (rounds - 1), BACKOFF_MAX_MS), (retryAfterSeconds ?? 0) * 1000);
  return { ...d, attempts: d.attempts + attempts, rounds, firstTriedAt, nextAttemptAt: new Date(now.getTime() + wait).toISOString(), lastError: error };
}
