import { isObject } from '../util/json.js';
import type { CronJob } from '../validate/manifests.js';

export type { CronJob };

/**
 * The declaration key clawctl gives every job it adds: `clawctl:<name>`. OpenClaw keeps a
 * job's declaration key for its life (no edit changes it; its own plugins namespace theirs the
 * same way, `memory-core:…`), so it marks clawctl's jobs where a person's edit cannot unmark
 * them: a job with it that the manifest no longer names is removed, every other job is left alone.
 */
export const CLAWCTL_CRON_KEY_PREFIX = 'clawctl:';
export const clawctlCronKey = (name: string) => `${CLAWCTL_CRON_KEY_PREFIX}${name}`;

/** Declaration keys of OpenClaw's monitors (heartbeats, the skill review): no client may change those jobs. */
const SYSTEM_MONITOR_KEYS = ['heartbeat:', 'skill-collection-review:'];

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
  for (const raw of stored) {
    const job = storedCronJob(raw);
    // clawctl's own jobs are the manifest's: kept, so that re-importing an agent plans no removal.
    if (!job || (job.key !== undefined && !job.key.startsWith(CLAWCTL_CRON_KEY_PREFIX))) continue;
    if ('skipped' in job.spec) skipped.push({ name: job.name, reason: job.spec.skipped });
    else jobs.push(job.spec);
  }
  return { jobs, skipped };
}

/** One stored job: who it is (OpenClaw's id, its declaration key), and what spec.cron says of it. */
export interface StoredCronJob {
  /** OpenClaw's id; empty only in a store too old to have one. */
  id: string;
  name: string;
  key?: string;
  /** OpenClaw's own monitor job, which clients may not edit or remove. */
  system: boolean;
  /** As an Agent.spec.cron entry, or why spec.cron cannot express it. */
  spec: CronJob | { skipped: string };
}

/** Pure: one job of OpenClaw's store → StoredCronJob; undefined for what is not a job. */
export function storedCronJob(job: unknown): StoredCronJob | undefined {
  if (!isObject(job)) return undefined;
  const id = typeof job.id === 'string' ? job.id : '';
  const name = typeof job.name === 'string' && job.name !== '' ? job.name : id || '(unnamed)';
  const key = typeof job.declarationKey === 'string' ? job.declarationKey : undefined;
  const spec = toCronJob(name, job);
  return {
    id,
    name,
    ...(key !== undefined ? { key } : {}),
    system: key !== undefined && SYSTEM_MONITOR_KEYS.some((p) => key.startsWith(p)),
    spec: typeof spec === 'string' ? { skipped: spec } : spec,
  };
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
