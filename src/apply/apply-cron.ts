import { canonical, canonicalSchedule } from '../diff/diff-cron.js';
import { clawctlCronKey } from '../import/cron-jobs.js';
import { hostScript } from '../openclaw/host-script.js';
import type { CronAction, CronJobChange } from '../plan/plan.js';
import type { CronJob } from '../validate/manifests.js';

const CRON = hostScript('cron.sh');

/** Where an agent's gateway is, and how long one `openclaw cron` may take. */
export interface CronTarget {
  stateDir: string;
  profile: string | undefined;
  port: number;
  seconds: number;
}

/** One apply step (apply-agent's): runs argv on the host, bounded on this side by `seconds`. */
export type CronStep = (name: string, argv: string[], opts: { seconds: number }) => Promise<string>;

/**
 * Make the planned job changes, one `openclaw cron` each, in plan order. They come after the
 * files and the health gate and are never rolled back with the files: a failed one fails the
 * agent's apply, and the next plan shows what is left.
 */
export async function applyCron(action: CronAction, target: CronTarget, keepsJobs: boolean, step: CronStep): Promise<void> {
  if (action.waits) throw new Error(`${action.jobs.length} cron job change(s) not made: ${action.waits}`);
  const commands = action.jobs.flatMap((j) => cronCommands(j).map((words) => ({ name: `cron ${words[0]} ${j.name}`, words })));
  for (const [i, c] of commands.entries()) {
    // The marker goes only with the last command, and only when the manifest names no job: until then facts must keep reading.
    const marker = i === commands.length - 1 && !keepsJobs ? 'drop' : 'keep';
    await step(c.name, cronArgv(target, marker, c.words), { seconds: target.seconds + 20 });
  }
}

/** The host command: cron.sh bounded by coreutils `timeout`, every value one argv element. */
export function cronArgv(t: CronTarget, marker: 'keep' | 'drop', words: readonly string[]): string[] {
  return ['timeout', '-k', '5', String(t.seconds), 'sh', '-c', CRON, 'clawctl-cron', t.stateDir, t.profile ?? '', String(t.port), marker, ...words];
}

/**
 * `openclaw cron` words for one planned change. Values go as `--flag=value`, so one that starts
 * with `-` is never read as a flag. A change passes every field, so the job ends as the manifest says.
 */
export function cronCommands(j: CronJobChange): string[][] {
  if (j.action === 'remove') return [['rm', j.id!]];
  const after = j.after!;
  const add = [
    'add',
    `--declaration-key=${clawctlCronKey(after.name)}`,
    `--name=${after.name}`,
    ...jobWords(after),
    ...(after.agent ? [`--agent=${after.agent}`] : []),
    ...(after.enabled === false ? ['--disabled'] : []),
  ];
  if (j.action === 'add') return [add];
  if (j.replace) return [['rm', j.id!], add];
  const enabled = canonical(after).enabled;
  return [['edit', j.id!, `--name=${after.name}`, ...jobWords(after), after.agent ? `--agent=${after.agent}` : '--clear-agent', ...(enabled === null ? [] : [enabled ? '--enable' : '--disable'])]];
}

/** Schedule, payload and session, as both `cron add` and `cron edit` take them. */
function jobWords(job: CronJob): string[] {
  const c = canonical(job);
  const tz = job.tz ? [`--tz=${job.tz}`] : [];
  const schedule = canonicalSchedule(job.schedule, job.tz);
  const when =
    schedule.kind === 'every'
      ? [`--every=${job.schedule.trim().replace(/^every\s+/i, '')}`]
      : schedule.kind === 'cron'
        ? [`--cron=${schedule.expr}`, ...tz]
        : // A one-shot job: kept after it ran, so that the next plan does not add it again.
          [`--at=${job.schedule.trim()}`, ...tz, '--keep-after-run'];
  return [...when, c.payload === 'systemEvent' ? `--system-event=${job.message}` : `--message=${job.message}`, `--session=${c.session}`];
}
