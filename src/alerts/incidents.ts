import type { AlertAfter, AlertEventName } from '../validate/manifests.js';

/**
 * What one watch cycle found about one (event, subject): firing or not, and why. A subject is
 * an agent's name, or `host/NAME` and `fleet/NAME` for what a policy says of a host or the fleet.
 */
export interface Finding {
  event: AlertEventName;
  subject: string;
  /** The agent's host, for messages. */
  host?: string;
  /** The subject's labels, which receivers' selectors match. */
  labels: Record<string, string>;
  firing: boolean;
  /** Why it fires, or, when it does not, what is true now ("gateway ready"). */
  reason: string;
}

/** One cycle's findings. A key the cycle did not look at (its host unreachable, a narrower scope) keeps its incident as it was. */
export interface Observation {
  at: string;
  findings: Finding[];
  /** Every subject of the fleet, when it loaded: an incident whose subject left the fleet resolves. */
  known?: string[];
}

/**
 * An incident: `pending` while a damped failure has not lasted long enough to count, `open`
 * once a message said so. Resolved incidents are dropped: the next failure is a new one.
 */
export interface Incident {
  event: AlertEventName;
  subject: string;
  host?: string;
  labels: Record<string, string>;
  status: 'pending' | 'open';
  reason: string;
  /** When it was first seen failing in this run of failures. */
  since: string;
  /** Consecutive cycles it was seen failing. */
  cycles: number;
  openedAt?: string;
}

/** Incidents by key (`event subject`): the alerts state file keeps them across restarts of watch. */
export type Incidents = Record<string, Incident>;

export interface Transition {
  kind: 'open' | 'resolve';
  incident: Incident;
  at: string;
  /** For a resolve: what is true now. */
  reason: string;
}

export const incidentKey = (event: AlertEventName, subject: string): string => `${event} ${subject}`;

/**
 * An incident's name outside clawctl: its event, subject and when it opened, in characters a
 * git branch, a shell argument and an exec allowlist take as they are
 * (`agent.down.claw.20261201t210000z`). The next failure of the same kind is another incident.
 */
export function incidentId(i: Pick<Incident, 'event' | 'subject' | 'since' | 'openedAt'>): string {
  const at = (i.openedAt ?? i.since)
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .toLowerCase();
  return `${i.event}.${i.subject.replace('/', '.')}.${at}`;
}

/** The branch (and so the one pull request) of an incident's proposed fix. */
export const incidentBranch = (id: string): string => `clawctl/incident/${id}`;

const INCIDENT_ID = /^([a-z]+\.[a-z]+)\.(?:(host|fleet)\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(\d{8}t\d{6}z)$/;

/** The event and subject an incident id names; undefined when it is not one. */
export function parseIncidentId(id: string): { event: string; subject: string; agent?: string } | undefined {
  const m = INCIDENT_ID.exec(id);
  if (!m) return undefined;
  return m[2] ? { event: m[1]!, subject: `${m[2]}/${m[3]}` } : { event: m[1]!, subject: m[3]!, agent: m[3]! };
}

/** An agent's health flaps; drift, a failed apply and a policy violation are facts the moment they are seen. */
const DAMPED: ReadonlySet<AlertEventName> = new Set(['agent.down', 'agent.degraded']);

export const DEFAULT_ALERT_AFTER: AlertAfter = { cycles: 2 };

/**
 * Pure: the previous incidents and this cycle's findings → the incidents now, and the
 * transitions to send (one per incident opening, one per incident resolving; none while an
 * incident stays as it is). A damped failure opens once it has lasted `after.cycles` cycles or
 * `after.seconds` seconds, whichever comes first; one that clears before is forgotten unsent.
 */
export function advanceIncidents(prev: Incidents, obs: Observation, after: AlertAfter = DEFAULT_ALERT_AFTER): { incidents: Incidents; transitions: Transition[] } {
  const incidents: Incidents = { ...prev };
  const transitions: Transition[] = [];
  const resolve = (key: string, reason: string) => {
    const p = incidents[key]!;
    if (p.status === 'open') transitions.push({ kind: 'resolve', incident: p, at: obs.at, reason });
    delete incidents[key];
  };
  for (const f of obs.findings) {
    const key = incidentKey(f.event, f.subject);
    const p = incidents[key];
    if (!f.firing) {
      if (p) resolve(key, f.reason);
      continue;
    }
    const subject = { event: f.event, subject: f.subject, ...(f.host ? { host: f.host } : {}), labels: f.labels };
    if (p?.status === 'open') {
      incidents[key] = { ...p, ...subject, reason: f.reason, cycles: p.cycles + 1 };
      continue;
    }
    const since = p?.since ?? obs.at;
    const cycles = (p?.cycles ?? 0) + 1;
    if (!DAMPED.has(f.event) || lastedEnough(after, cycles, since, obs.at)) {
      const opened: Incident = { ...subject, status: 'open', reason: f.reason, since, cycles, openedAt: obs.at };
      incidents[key] = opened;
      transitions.push({ kind: 'open', incident: opened, at: obs.at, reason: f.reason });
    } else {
      incidents[key] = { ...subject, status: 'pending', reason: f.reason, since, cycles };
    }
  }
  if (obs.known) {
    const known = new Set(obs.known);
    for (const [key, p] of Object.entries(incidents)) if (!known.has(p.subject)) resolve(key, `${p.subject} is no longer in the fleet`);
  }
  return { incidents, transitions };
}

function lastedEnough(after: AlertAfter, cycles: number, since: string, now: string): boolean {
  const byCycles = after.cycles !== undefined && cycles >= after.cycles;
  const bySeconds = after.seconds !== undefined && Date.parse(now) - Date.parse(since) >= after.seconds * 1000;
  return byCycles || bySeconds;
}
