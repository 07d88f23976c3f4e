import { isDeepStrictEqual } from 'node:util';
import { clawctlCronKey, CLAWCTL_CRON_KEY_PREFIX, type StoredCronJob } from '../import/cron-jobs.js';
import type { CronAction, CronJobChange } from '../plan/plan.js';
import type { CronJob } from '../validate/manifests.js';

/**
 * Pure: spec.cron against the jobs OpenClaw holds → the jobs to add, change and remove.
 * A job the manifest names is found by clawctl's declaration key, else by name (a job a
 * person or import made is taken over, and keeps its id and history). Only jobs clawctl added
 * are removed when the manifest drops them; OpenClaw's monitors are never touched.
 * `observed` undefined: not read (the agent declares no jobs and clawctl added none).
 */
export function diffCron(desired: readonly CronJob[], observed: readonly StoredCronJob[] | undefined): CronAction | undefined {
  if (!observed) return undefined;
  const candidates = observed.filter((j) => !j.system && j.id !== '');
  const taken = new Set<StoredCronJob>();
  const jobs: CronJobChange[] = [];
  for (const want of desired) {
    const free = candidates.filter((j) => !taken.has(j));
    const have = free.find((j) => j.key === clawctlCronKey(want.name)) ?? free.find((j) => j.name === want.name && j.key === undefined) ?? free.find((j) => j.name === want.name);
    if (!have) {
      jobs.push({ name: want.name, action: 'add', after: want });
      continue;
    }
    taken.add(have);
    const before = 'skipped' in have.spec ? undefined : have.spec;
    // Found by its key under another name (a person renamed it): named back too.
    if (before && before.name === want.name && isDeepStrictEqual(canonical(before), canonical(want))) continue;
    jobs.push({
      name: want.name,
      action: 'change',
      id: have.id,
      ...(before ? { before } : { unlike: (have.spec as { skipped: string }).skipped }),
      after: want,
      ...(unsetsTimeZone(before, want) ? { replace: true } : {}),
    });
  }
  for (const job of candidates) {
    if (taken.has(job) || !job.key?.startsWith(CLAWCTL_CRON_KEY_PREFIX)) continue;
    jobs.push({ name: job.name, action: 'remove', id: job.id, ...('skipped' in job.spec ? { unlike: job.spec.skipped } : { before: job.spec }) });
  }
  return jobs.length > 0 ? { type: 'cron', jobs } : undefined;
}

/** A job as OpenClaw runs it: OpenClaw's defaults filled in, a schedule in the form it stores. */
export interface CanonicalCronJob {
  schedule: CanonicalSchedule;
  message: string;
  payload: 'agentTurn' | 'systemEvent';
  agent: string | null;
  session: string;
  /** null for a one-shot job: OpenClaw disables it once it ran, which is not drift. */
  enabled: boolean | null;
}

export type CanonicalSchedule = { kind: 'cron'; expr: string; tz: string | null } | { kind: 'every'; ms: number } | { kind: 'at'; ms: number } | { kind: 'text'; text: string };

export function canonical(job: CronJob): CanonicalCronJob {
  const payload = job.payload ?? 'agentTurn';
  const schedule = canonicalSchedule(job.schedule, job.tz);
  return {
    schedule,
    message: job.message,
    payload,
    agent: job.agent ?? null,
    // `openclaw cron add` without --session: a system event goes to the main session, an agent turn runs isolated.
    session: job.session ?? (payload === 'systemEvent' ? 'main' : 'isolated'),
    enabled: schedule.kind === 'at' ? null : (job.enabled ?? true),
  };
}

/** The schedule classified as `openclaw cron add` classifies a positional one: `every …`, five or six fields, else a time. */
export function canonicalSchedule(text: string, tz: string | undefined): CanonicalSchedule {
  const trimmed = text.trim();
  const every = /^every\s+(.+)$/i.exec(trimmed)?.[1];
  if (every !== undefined) {
    const ms = durationMs(every.trim().toLowerCase());
    return ms === undefined ? { kind: 'text', text: trimmed } : { kind: 'every', ms };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length === 5 || fields.length === 6) return { kind: 'cron', expr: fields.join(' '), tz: tz ?? null };
  const ms = instant(trimmed, tz);
  return ms === undefined ? { kind: 'text', text: trimmed } : { kind: 'at', ms };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** OpenClaw's duration grammar: `90s`, `1h30m`, a bare number of ms. */
function durationMs(text: string): number | undefined {
  const bare = /^(\d+(?:\.\d+)?)$/.exec(text);
  if (bare) return Math.round(Number(bare[1]));
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** An ISO time as OpenClaw stores it (UTC): one without an offset is in `tz`, or UTC. */
function instant(text: string, tz: string | undefined): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) return undefined;
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && /[T ]/.test(text);
  const utc = Date.parse(hasOffset ? text : `${text.replace(' ', 'T')}${text.includes(':') ? '' : 'T00:00'}Z`);
  if (Number.isNaN(utc)) return undefined;
  if (hasOffset || !tz) return utc;
  // Wall-clock time in tz: shift by tz's offset at that moment (twice, for a DST edge).
  const first = utc - offsetMs(utc, tz);
  return utc - offsetMs(first, tz);
}

function offsetMs(at: number, tz: string): number {
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(at)
        .map((p) => [p.type, Number(p.value)]),
    );
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(at / 1000) * 1000;
  } catch {
    return 0; // an unknown zone: OpenClaw refuses it at apply, which says so
  }
}

/** OpenClaw's `cron edit --cron X` without --tz keeps the job's time zone: unsetting one needs a new job. */
function unsetsTimeZone(before: CronJob | undefined, after: CronJob): boolean {
  if (!before) return false;
  const was = canonicalSchedule(before.schedule, before.tz);
  const now = canonicalSchedule(after.schedule, after.tz);
  return was.kind === 'cron' && was.tz !== null && now.kind === 'cron' && now.tz === null;
}
