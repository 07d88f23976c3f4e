import type { AuditSink } from '../audit/audit-log.js';
import type { DiagnoseResult } from '../diagnose/analyze.js';
import type { AlertAfter, AlertReceiver, Manifests } from '../validate/manifests.js';
import { flushOutbox, type DeliveryReport, type FailedDelivery } from './deliver.js';
import { cycleFindings, fleetSubjects, type CycleFacts } from './findings.js';
import { settleIncidentPulls, type IncidentPullReport } from './incident-pulls.js';
import { advanceIncidents, DEFAULT_ALERT_AFTER, parseIncidentId, type Transition } from './incidents.js';
import { route, type Delivery } from './outbox.js';
import { kindOf, openReceivers, type OpenedReceiver } from './receivers.js';
import { readAlertState, writeAlertState } from './state-file.js';

export interface IncidentReport {
  event: string;
  subject: string;
  host?: string;
  reason: string;
}

/** What alerting did in one watch cycle. */
export interface AlertsReport {
  opened: IncidentReport[];
  resolved: IncidentReport[];
  delivered: DeliveryReport[];
  /** Sends that failed this cycle: kept for a later try (nextAttemptAt), or given up. */
  failed: FailedDelivery[];
  /** Messages left for a later cycle (rate limit, or waiting after a failure). */
  waiting: number;
  /** Receivers this process cannot send through, and why (a secret it cannot decrypt). */
  unavailable: { receiver: string; reason: string }[];
  /** Pull requests of incidents that resolved this cycle: commented on, and closed when nothing was merged. */
  pullRequests?: IncidentPullReport[];
}

/** `clawctl diagnose AGENT` as watch runs it for an operator agent's message. */
export type DiagnoseAgent = (agent: string) => Promise<DiagnoseResult>;

/** What one cycle hands to alerting: the fleet as loaded, and what was observed, when it got that far. */
export interface AlertInput {
  manifests?: Manifests;
  facts?: CycleFacts;
}

/**
 * Alerting for a run of watch: turns each cycle's facts into incident transitions, queues a
 * message per transition and receiver, and sends what is due. Receivers come from the last
 * fleet that loaded, so a cycle with a broken manifest still retries what is owed. Fleets
 * without `alerts` are left alone (no state file).
 */
export function alerting(fleetDir: string, audit: AuditSink, diagnose?: DiagnoseAgent): (input: AlertInput, now?: () => Date) => Promise<AlertsReport | undefined> {
  let settings: { receivers: AlertReceiver[]; after: AlertAfter; fleet: string } | undefined;
  let checkedAll = false;
  return async (input, now = () => new Date()) => {
    if (input.manifests) {
      const spec = input.manifests.fleet.manifest.spec;
      settings = { receivers: spec.alerts ?? [], after: spec.alertAfter ?? DEFAULT_ALERT_AFTER, fleet: input.manifests.fleet.manifest.metadata.name };
    }
    if (!settings || settings.receivers.length === 0) return undefined;
    const { receivers, after, fleet } = settings;
    let state = await readAlertState(fleetDir);
    let transitions: Transition[] = [];
    if (input.facts && input.manifests) {
      const advanced = advanceIncidents(state.incidents, { at: now().toISOString(), findings: cycleFindings(input.facts), known: fleetSubjects(input.manifests) }, after);
      transitions = advanced.transitions;
      // Kept before sending: a watch killed mid-send sends again after a restart, and never loses a message.
      const routed = await withDiagnoses(route(receivers, transitions, fleet), receivers, diagnose);
      state = { ...state, incidents: advanced.incidents, outbox: [...state.outbox, ...routed] };
      await writeAlertState(fleetDir, state);
    }
    let unavailable: AlertsReport['unavailable'] = [];
    const flushed = await flushOutbox(state.outbox, state.sent, {
      receivers,
      now,
      // The first cycle opens every receiver, so one that cannot send is said at once, not at its first incident.
      open: async (due) => {
        const opened: OpenedReceiver[] = await openReceivers(fleetDir, checkedAll ? due : receivers, audit);
        checkedAll = true;
        unavailable = opened.flatMap((o) => ('unavailable' in o ? [{ receiver: o.name, reason: o.unavailable }] : []));
        return opened;
      },
    });
    await writeAlertState(fleetDir, { ...state, outbox: flushed.outbox, sent: flushed.sent });
    const pullRequests = await settleIncidentPulls(
      fleetDir,
      transitions.filter((t) => t.kind === 'resolve'),
    );
    const incident = (t: Transition): IncidentReport => ({ event: t.incident.event, subject: t.incident.subject, ...(t.incident.host ? { host: t.incident.host } : {}), reason: t.reason });
    return {
      opened: transitions.filter((t) => t.kind === 'open').map(incident),
      resolved: transitions.filter((t) => t.kind === 'resolve').map(incident),
      delivered: flushed.delivered,
      failed: flushed.failed,
      waiting: flushed.waiting,
      unavailable,
      ...(pullRequests.length > 0 ? { pullRequests } : {}),
    };
  };
}

/**
 * An operator agent's message about an agent that fails carries its diagnosis, taken once per
 * agent and cycle. A diagnosis that cannot be had leaves the message without one: the agent
 * runs diagnose itself anyway.
 */
async function withDiagnoses(deliveries: Delivery[], receivers: readonly AlertReceiver[], diagnose?: DiagnoseAgent): Promise<Delivery[]> {
  if (!diagnose) return deliveries;
  const agentReceivers = new Set(receivers.filter((r) => kindOf(r) === 'agent').map((r) => r.name));
  const taken = new Map<string, Promise<DiagnoseResult | undefined>>();
  return Promise.all(
    deliveries.map(async (d) => {
      const agent = d.message.incident ? parseIncidentId(d.message.incident)?.agent : undefined;
      if (!agentReceivers.has(d.receiver) || d.message.status !== 'firing' || !agent) return d;
      if (!taken.has(agent))
        taken.set(
          agent,
          diagnose(agent).catch(() => undefined),
        );
      const diagnosis = await taken.get(agent);
      return diagnosis ? { ...d, message: { ...d.message, diagnosis } } : d;
    }),
  );
}
