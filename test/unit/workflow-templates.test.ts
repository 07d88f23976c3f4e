import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clawctlLines, commandLineProblems } from '../harness/command-lines.js';

type Step = { run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; concurrency: { group: string; 'cancel-in-progress': boolean }; env: Record<string, string>; jobs: Record<string, { steps: Step[]; if?: string; environment?: string }> };

const load = (name: string): Workflow => parse(readFileSync(fileURLToPath(new URL(`../../.github/workflows/templates/${name}`, import.meta.url)), 'utf8')) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

/** The workflow templates `clawctl init` writes: the GitOps loop users run in GitHub Actions. */
describe('workflow templates', () => {
  const plan = load('clawctl-plan.yml');
  const apply = load('clawctl-apply.yml');

  for (const [name, w] of [['clawctl-plan.yml', plan], ['clawctl-apply.yml', apply]] as const) {
    it(`${name}: every clawctl command and flag exists in the CLI`, () => {
      const lines = steps(w).flatMap((s) => clawctlLines(s.run ?? ''));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.flatMap(commandLineProblems)).toEqual([]);
    });
    it(`${name}: no expression is pasted into a script (inputs and secrets come in through env)`, () => {
      for (const s of steps(w)) expect(s.run ?? '', s.run).not.toContain('${{');
    });
    it(`${name}: checkout keeps no token in the work tree; secrets only where used`, () => {
      const checkout = steps(w).find((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with?.['persist-credentials']).toBe(false);
      expect(w.env.CLAWCTL_VERSION).toBe('{{CLAWCTL_VERSION}}');
    });
  }

  it('the checker itself catches an unknown command or flag', () => {
    expect(commandLineProblems('clawctl plan --no-such-flag')).toEqual(['clawctl plan has no flag --no-such-flag']);
    expect(commandLineProblems('clawctl deploy everything')).toEqual(['unknown command: clawctl deploy everything']);
    expect(commandLineProblems('clawctl secrets set secrets/a.sops.yaml KEY --from-env V')).toEqual([]);
  });

  it('plan runs on pull requests that touch the fleet, comments, and skips forks that get no secrets', () => {
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(plan.permissions['pull-requests']).toBe('write');
    expect(plan.concurrency['cancel-in-progress']).toBe(true);
    expect(plan.jobs.plan!.if).toContain('head.repo.full_name == github.repository');
    expect(steps(plan).map((s) => s.run ?? '').join('\n')).toMatch(/clawctl plan --pr-comment/);
  });

  it('apply runs on merge to main, one at a time, never cancelled, approvals only by hand', () => {
    expect(apply.on).toMatchObject({ push: { branches: ['main'] }, workflow_dispatch: { inputs: { approve: { required: false } } } });
    expect(apply.concurrency).toEqual({ group: 'clawctl-apply', 'cancel-in-progress': false });
    const run = steps(apply).find((s) => s.run?.includes('clawctl apply'))!;
    expect(run.env?.APPROVE).toBe('${{ inputs.approve }}');
    expect(run.run).toContain('--audit git');
  });
});
