import { Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { planFleet } from '../engine/fleet-run.js';
import type { Plan } from '../plan/plan.js';
import { savePlan } from '../plan/plan-file.js';
import { renderPlanText } from '../plan/render-text.js';
import { ExitCode } from '../util/errors.js';

export default class PlanCommand extends BaseCommand<Plan> {
  static override summary = 'Observe every host, diff against the fleet, and show what apply would do';
  static override description = `Exit codes: 0 no changes (or changes without --detailed-exitcode), 1 error (invalid manifests, an unreachable host), 2 changes pending with --detailed-exitcode, 3 a policy violation (listed first).`;
  static override examples = ['<%= config.bin %> plan', '<%= config.bin %> plan --out plan.json', '<%= config.bin %> plan --detailed-exitcode --json'];
  static override flags = {
    ...fleetFlags,
    out: Flags.file({ description: 'save the plan to this file, for `clawctl apply FILE`' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 2 when there are changes, 0 when none' }),
  };

  async run(): Promise<Plan> {
    const { flags } = await this.parse(PlanCommand);
    const run = await planFleet(this.planOptions(flags));
    await run.pool.closeAll();
    const { plan } = run;
    this.say(renderPlanText(plan));
    if (flags.out) {
      await savePlan(flags.out, plan);
      this.say(`\nSaved the plan to ${flags.out}. To carry it out exactly: clawctl apply ${flags.out}`);
    }
    if (plan.policy.violations.length > 0) this.setExit(ExitCode.policy);
    else if (plan.unreachable.length > 0) this.setExit(ExitCode.error);
    else if (flags['detailed-exitcode'] && plan.changes.length > 0) this.setExit(ExitCode.changes);
    return plan;
  }
}
