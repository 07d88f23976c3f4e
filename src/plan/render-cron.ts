import { canonical } from '../diff/diff-cron.js';
import type { CronJob } from '../validate/manifests.js';
import type { CronAction, CronJobChange } from './plan.js';

/** A cron action as plan lines: each job by name, a change as the fields it changes (old → new). */
export function renderCronAction(a: CronAction): string[] {
  const lines = [`~ cron jobs, through the running gateway (\`openclaw cron\`)`];
  if (a.waits) lines.push(`    ! waits: ${a.waits}`);
  for (const j of a.jobs) lines.push(...jobLines(j).map((l) => `    ${l}`));
  return lines;
}

function jobLines(j: CronJobChange): string[] {
  if (j.action === 'add') return [`+ ${j.name}: ${describeJob(j.after!)}`];
  if (j.action === 'remove') return [`- ${j.name} (added by clawctl, no longer in the manifest)`];
  const head = `~ ${j.name}${j.replace ? ' (removed and added again: OpenClaw cannot unset a time zone, so its run history restarts)' : ''}`;
  if (!j.before) return [head, `    was: ${j.unlike ?? 'not expressible in spec.cron'}`, `    now: ${describeJob(j.after!)}`];
  return [head, ...fieldChanges(j.before, j.after!).map((l) => `    ${l}`)];
}

/** `"0 7 * * *" Europe/Berlin, agent turn "Summarize", agent ops, session isolated`. */
export function describeJob(job: CronJob): string {
  const c = canonical(job);
  return [
    `${JSON.stringify(job.schedule)}${job.tz ? ` ${job.tz}` : ''}`,
    `${c.payload === 'systemEvent' ? 'system event' : 'agent turn'} ${JSON.stringify(job.message)}`,
    ...(c.agent ? [`agent ${c.agent}`] : []),
    `session ${c.session}`,
    ...(c.enabled === false ? ['disabled'] : []),
  ].join(', ');
}

function fieldChanges(before: CronJob, after: CronJob): string[] {
  const was = canonical(before);
  const now = canonical(after);
  const out: string[] = [];
  const show = (v: unknown) => (v === null ? '(none)' : JSON.stringify(v));
  if (before.name !== after.name) out.push(`name: ${show(before.name)} → ${show(after.name)}`);
  if (JSON.stringify(was.schedule) !== JSON.stringify(now.schedule))
    out.push(`schedule: ${show(before.schedule)}${before.tz ? ` ${before.tz}` : ''} → ${show(after.schedule)}${after.tz ? ` ${after.tz}` : ''}`);
  for (const key of ['payload', 'message', 'agent', 'session', 'enabled'] as const) {
    if (was[key] !== now[key]) out.push(`${key}: ${show(was[key])} → ${show(now[key])}`);
  }
  return out;
}
