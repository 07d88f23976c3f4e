import type { AlertsReport } from '../alerts/alerting.js';
import type { AlertsTestResult } from '../alerts/test-send.js';

/** A watch cycle's alerting, a line per thing a person acts on; nothing when nothing happened. */
export function renderAlerts(a: AlertsReport): string[] {
  return [
    ...a.opened.map((i) => `alert: opened ${i.event} ${i.subject}: ${i.reason}`),
    ...a.resolved.map((i) => `alert: resolved ${i.event} ${i.subject}: ${i.reason}`),
    ...a.delivered.map((d) => `alert: sent ${d.status} ${d.event} ${d.subject} to ${d.receiver}${d.attempts > 1 ? ` (after ${d.attempts} tries)` : ''}`),
    ...a.failed.map(
      (f) => `alert: NOT sent ${f.status} ${f.event} ${f.subject} to ${f.receiver} after ${f.attempts} tries: ${f.error}; ${f.nextAttemptAt ? `next try at ${f.nextAttemptAt}` : 'given up'}`,
    ),
    ...a.unavailable.map((u) => `alert: receiver ${u.receiver} cannot send: ${u.reason}`),
    ...(a.waiting > 0 ? [`alert: ${a.waiting} message(s) wait for a later cycle (rate limit or backoff)`] : []),
  ];
}

export function renderAlertsTest(r: AlertsTestResult): string {
  return r.delivered
    ? `Sent a test message through ${r.receiver} (${r.kind})${r.attempts > 1 ? ` after ${r.attempts} tries` : ''}.`
    : `Could not send through ${r.receiver} (${r.kind})${r.attempts > 0 ? ` after ${r.attempts} tries` : ''}: ${r.error ?? 'unknown error'}`;
}
