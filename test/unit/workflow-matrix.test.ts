import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { matrixForm, renderWorkflow, WORKFLOWS } from '../../src/engine/init-run.js';
import type { ClawctlAction } from '../../src/github/clawctl-action.js';
import { clawctlLines, commandLineProblems } from '../harness/command-lines.js';
import { actionlint, formatProblems, shellcheckScript } from '../harness/workflow-lint.js';

type Step = { run?: string; shell?: string; with?: Record<string, unknown> };
type Job = { strategy?: { 'fail-fast': boolean; matrix: { shard: number[] } }; steps: Step[] };
type Workflow = { concurrency: { group: string }; jobs: Record<string, Job> };

const ACTION: ClawctlAction = { repo: 'acme/clawctl', commit: '0123456789abcdef0123456789abcdef01234567' };
const text: Record<string, string> = Object.fromEntries(await Promise.all(WORKFLOWS.map(async (w) => [w, await renderWorkflow(w, '9.9.9', ACTION, 4)] as const)));
const linted = actionlint(WORKFLOWS.map((w) => ({ source: text[w]!, path: `.github/workflows/${w}` })));

/** `clawctl init --shards 4`: the workflows in matrix form, one job per shard of the hosts. */
describe('workflow templates in matrix form', () => {
  for (const name of WORKFLOWS) {
    const w = parse(text[name]!) as Workflow;
    const job = Object.values(w.jobs)[0]!;
    const lines = job.steps.flatMap((s) => clawctlLines(s.run ?? ''));

    it(`${name}: actionlint and shellcheck find nothing`, () => {
      expect(formatProblems(name, linted[`.github/workflows/${name}`]!)).toEqual([]);
      for (const s of job.steps.filter((x) => x.run)) expect(shellcheckScript(s.run!, s.shell), s.run).toEqual([]);
    });

    it(`${name}: one job per shard, each planning or applying only its own with flags the CLI has`, () => {
      expect(job.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3, 4] } });
      const fleetWork = lines.filter((l) => /^clawctl (plan|apply) --/.test(l));
      expect(fleetWork.length).toBeGreaterThan(0);
      for (const l of fleetWork) expect(l).toContain('--shard ${{ matrix.shard }}/4');
      expect(lines.flatMap(commandLineProblems)).toEqual([]);
    });
  }

  it('keeps one apply run at a time, its shards side by side, and gives each shard its own plan artifact and drift issue', () => {
    expect((parse(text['clawctl-apply.yml']!) as Workflow).concurrency.group).toBe('clawctl-apply');
    expect(text['clawctl-plan.yml']).toContain('name: clawctl-plan-shard-${{ matrix.shard }}');
    expect(text['clawctl-drift.yml']).toContain("marker='<!-- clawctl:drift fleet=fleet shard=${{ matrix.shard }}/4 -->'");
  });

  it('fails loudly when a template no longer has what the matrix form edits', () => {
    expect(() => matrixForm('clawctl-apply.yml', text['clawctl-apply.yml']!.replace('clawctl apply --auto-approve', 'clawctl apply'), 4)).toThrow(/expects clawctl apply --auto-approve/);
  });
});
