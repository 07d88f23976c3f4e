import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cronCommands } from '../../src/apply/apply-cron.js';
import { diffCron } from '../../src/diff/diff-cron.js';
import { storedCronJob } from '../../src/import/cron-jobs.js';
import type { CronJobChange } from '../../src/plan/plan.js';
import type { CronJob } from '../../src/validate/manifests.js';

/** Each case: spec.cron, OpenClaw's stored jobs as facts.sh reads them, the planned changes and the `openclaw cron` words for each. */
interface Case {
  about: string;
  desired: CronJob[];
  observed: unknown[];
  expected: Partial<CronJobChange>[];
  commands?: string[][][];
}
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/cron/diff-cron.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('diffCron', () => {
  it.each(cases)('$about', ({ desired, observed, expected, commands }) => {
    const action = diffCron(
      desired,
      observed.flatMap((j) => storedCronJob(j) ?? []),
    );
    const jobs = action?.jobs ?? [];
    expect(jobs.map((j) => ({ name: j.name, action: j.action, ...(j.id ? { id: j.id } : {}), ...(j.replace ? { replace: true } : {}), ...(j.unlike ? { unlike: j.unlike } : {}) }))).toEqual(expected);
    if (commands) expect(jobs.map(cronCommands)).toEqual(commands);
  });

  it('plans nothing for jobs it did not read (the agent declares none, and clawctl added none)', () => {
    expect(diffCron([], undefined)).toBeUndefined();
  });

  it('is idempotent: what it adds, read back as OpenClaw stores it, is no change', () => {
    const desired: CronJob[] = [{ name: 'brief', schedule: '0 7 * * *', tz: 'UTC', message: 'm', agent: 'ops', session: 'session:daily', enabled: false }];
    const stored = {
      id: 'j1',
      declarationKey: 'clawctl:brief',
      name: 'brief',
      agentId: 'ops',
      enabled: false,
      sessionTarget: 'session:daily',
      schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'UTC' },
      payload: { kind: 'agentTurn', message: 'm' },
    };
    expect(diffCron(desired, [storedCronJob(stored)!])).toBeUndefined();
  });
});
