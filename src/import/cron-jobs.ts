import { isObject } from '../util/json.js';

/**
 * One entry of Agent.spec.cron (schemas/common.schema.json#/$defs/cronJob), with the fields
 * import fills: `payload` and `session` say what OpenClaw's `--system-event` and `--session` say.
 */
export interface CronJob {
  name: string;
  schedule: string;
  tz?: string;
  message: string;
  payload?: 'agentTurn' | 'systemEvent';
  agent?: string;
  session?: string;
  enabled?: boolean;
}

/** A stored job import did not write, and why (it is never dropped silently). */
export interface SkippedCronJob {
  name: string;
  reason: string;
}

/** Payload kinds Agent.spec.cron holds: a message for an agent turn, or a system event's text. */
const PAYLOADS: Readonly<Record<string, { field: string; payload: NonNullable<CronJob['payload']> }>> = {
  agentTurn: { field: 'message', payload: 'agentTurn' },
  systemEvent: { field: 'text', payload: 'systemEvent' },
};

/**
 * Pure: OpenClaw's stored jobs (the job JSON of its state database, or of the older
 * cron/jobs.json) → Agent.spec.cron entries, in the order OpenClaw keeps them. Jobs OpenClaw
 * declares itself (heartbeats) are its own and left out; jobs spec.cron cannot express are
 * listed as skipped.
 */
export function cronFromOpenclaw(stored: readonly unknown[]): { jobs: CronJob[]; skipped: SkippedCronJob[] } {
  const jobs: CronJob[] = [];
  const skipped: SkippedCronJob[] = [];
  for (const job of stored) {
    if (!isObject(job)) continue;
    const name = typeof job.name === 'string' && job.name !== '' ? job.name : typeof job.id === 'string' ? job.id : '(unnamed)';
    if (typeof job.declarationKey === 'string') continue;
    const result = toCronJob(name, job);
    if (typeof result === 'string') skipped.push({ name, reason: result });
    else jobs.push(result);
  }
  return { jobs, skipped };
}

function toCronJob(name: string, job: Record<string, unknown>): CronJob | string {
  const schedule = isObject(job.schedule) ? job.schedule : {};
  const when = scheduleText(schedule);
  if (!when) return `its schedule (${String(schedule.kind ?? 'none')}) is not a cron expression, an interval or a time`;
  const payload = isObject(job.payload) ? job.payload : {};
  const kind = PAYLOADS[String(payload.kind)];
  if (!kind) return `its payload (${String(payload.kind ?? 'none')}) is not an agent turn or a system event`;
  const message = payload[kind.field];
  if (typeof message !== 'string' || message === '') return 'it has no message';
  return {
    name,
    schedule: when,
    ...(typeof schedule.tz === 'string' ? { tz: schedule.tz } : {}),
    message,
    ...(kind.payload !== 'agentTurn' ? { payload: kind.payload } : {}),
    ...(typeof job.agentId === 'string' ? { agent: job.agentId } : {}),
    ...(typeof job.sessionTarget === 'string' ? { session: job.sessionTarget } : {}),
    ...(job.enabled === false ? { enabled: false } : {}),
  };
}

/** The schedule as `openclaw cron add` takes it positionally: a cron expression, `every 1h`, or an ISO time. */
function scheduleText(s: Record<string, unknown>): string | undefined {
  if (s.kind === 'cron' && typeof s.expr === 'string' && s.expr !== '') return s.expr;
  if (s.kind === 'every' && typeof s.everyMs === 'number' && Number.isInteger(s.everyMs) && s.everyMs > 0) return `every ${duration(s.everyMs)}`;
  if (s.kind === 'at' && typeof s.at === 'string' && s.at !== '') return s.at;
  return undefined;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** The largest unit that states the interval exactly (90 000 ms → 90s). */
function duration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
