import type { DiagnoseResult } from '../diagnose/analyze.js';
import type { AlertEventName } from '../validate/manifests.js';
import { incidentId, type Transition } from './incidents.js';

/**
 * One alert as every receiver gets it. Built only from what watch observed and planned, which
 * never holds a secret value (.env values are keyed hashes in plans): a message cannot carry one.
 */
export interface AlertMessage {
  /** Stable for the incident and the transition, so a receiver can drop a duplicate of a retried send. */
  id: string;
  status: 'firing' | 'resolved' | 'test';
  event: AlertEventName | 'test';
  /** An agent's name, `host/NAME` or `fleet/NAME`. */
  subject: string;
  host?: string;
  fleet: string;
  /** Why it fires, or what is true now that it resolved. */
  reason: string;
  at: string;
  openedAt?: string;
  /** One line a person reads first (an email's subject), then the text. */
  title: string;
  text: string;
  /** The incident's id (incidentId), which names its pull request; absent on a test message. */
  incident?: string;
  /** `clawctl diagnose --json` of the agent, taken when the incident opened, for an operator agent to start from. */
  diagnosis?: DiagnoseResult;
}

const WHAT: Record<AlertEventName, string> = {
  'agent.down': 'agent down',
  'agent.degraded': 'agent degraded',
  'drift.found': 'drift found',
  'apply.failed': 'apply failed',
  'policy.violation': 'policy violation',
  'budget.crossed': 'budget crossed',
};

/** Pure: an incident's transition → its message. */
export function transitionMessage(t: Transition, fleet: string): AlertMessage {
  const { incident: i } = t;
  const where = i.host ? `${i.subject} on ${i.host}` : i.subject;
  const firing = t.kind === 'open';
  const title = `[${fleet}] ${firing ? 'FIRING' : 'RESOLVED'}: ${WHAT[i.event]}: ${where}`;
  const lasted = !firing && i.openedAt ? ` (open ${duration(Date.parse(t.at) - Date.parse(i.openedAt))})` : '';
  return {
    id: `${i.event}/${i.subject}/${i.openedAt ?? t.at}/${t.kind}`,
    status: firing ? 'firing' : 'resolved',
    event: i.event,
    subject: i.subject,
    ...(i.host ? { host: i.host } : {}),
    fleet,
    reason: t.reason,
    at: t.at,
    ...(i.openedAt ? { openedAt: i.openedAt } : {}),
    title,
    text: `${title}\n${t.reason}${lasted}`,
    incident: incidentId(i),
  };
}

/** What `clawctl alerts test` sends. */
export function testMessage(receiver: string, fleet: string, at: Date): AlertMessage {
  const title = `[${fleet}] TEST: clawctl alert receiver ${receiver}`;
  return {
    id: `test/${receiver}/${at.toISOString()}`,
    status: 'test',
    event: 'test',
    subject: `fleet/${fleet}`,
    fleet,
    reason: 'a test message sent by `clawctl alerts test`',
    at: at.toISOString(),
    title,
    text: `${title}\nIf you read this, ${receiver} delivers clawctl's alerts.`,
  };
}

/** "45s", "12m", "3h 5m", "2d 4h": how long an incident was open. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
