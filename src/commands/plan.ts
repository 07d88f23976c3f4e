import { Flags } from '@oclif/core';
import { BaseCommand, checkFlags, fleetFlags } from '../cli/base-command.js';
import { planOnly } from '../engine/fleet-run.js';
import { hasChanges, type Plan } from '../plan/plan.js';
import { savePlan } from '../plan/plan-file.js';
import { renderPlanText } from '../plan/render-text.js';
import { ClawctlError, ExitCode } from '../util/errors.js';
import { renderErrorMarkdown, renderPlanMarkdown } from '../plan/render-markdown.js';
import { actionsFooter, commentOnPullRequest } from '../github/plan-comment.js';
import type { Shard } from '../engine/shard.js';

export default class PlanCommand extends BaseCommand<Plan> {
  static override summary = 'Observe every host, diff against the fleet, and show what apply would do';
  static override description =
    `Exit codes: 0 no changes (or changes without --detailed-exitcode), 1 error (invalid manifests, an unreachable host), 2 changes pending with --detailed-exitcode, 3 a policy violation (listed first).`;
  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --out plan.json',
    '<%= config.bin %> plan --detailed-exitcode --json',
    '<%= config.bin %> plan --pr-comment   # in a pull_request workflow',
  ];
  static override flags = {
    ...fleetFlags,
    ...checkFlags,
    out: Flags.file({ description: 'save the plan to this file, for `clawctl apply FILE`' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 2 when there are changes, 0 when none' }),
    decrypt: Flags.boolean({
      description: "decrypt every secret, as apply does, rather than read their keyed hashes from the fleet's hash record (needs the keys); a record that no longer matches the values is an error",
    }),
    'pr-comment': Flags.boolean({ description: 'in a GitHub Actions pull_request run, post the plan (or why it failed) as a comment on the pull request, updated on every push (GITHUB_TOKEN)' }),
  };

  async run(): Promise<Plan> {
    const { flags } = await this.parse(PlanCommand);
    const plan = await this.makePlan(flags.fleet, flags['pr-comment'], this.scope(flags).shard, async () => {
      return (await planOnly({ ...this.planOptions(flags), decrypt: flags.decrypt })).plan;
    });
    this.say(renderPlanText(plan));
    if (flags.out) {
      await savePlan(flags.out, plan);
      this.say(`\nSaved the plan to ${flags.out}. To carry it out exactly: clawctl apply ${flags.out}`);
    }
    if (plan.policy.violations.length > 0) this.setExit(ExitCode.policy);
    else if (plan.unreachable.length > 0) this.setExit(ExitCode.error);
    else if (flags['detailed-exitcode'] && hasChanges(plan)) this.setExit(ExitCode.changes);
    return plan;
  }

  /** With --pr-comment, the pull request hears the outcome either way: the plan, or the error. */
  private async makePlan(fleetDir: string, comment: boolean, shard: Shard | undefined, make: () => Promise<Plan>): Promise<Plan> {
    if (!comment) return make();
    const footer = actionsFooter(this.config.version);
    let plan: Plan;
    try {
      plan = await make();
    } catch (err) {
      const e = err instanceof ClawctlError ? err : { message: (err as Error).message, diagnostics: [] };
      // The plan's own error is the one to report; a failed comment only adds a line.
      await commentOnPullRequest(fleetDir, renderErrorMarkdown(fleetDir, e, footer), shard).catch((c: Error) => process.stderr.write(`Could not comment on the pull request: ${c.message}\n`));
      throw err;
    }
    const posted = await commentOnPullRequest(fleetDir, renderPlanMarkdown(plan, footer), shard);
    process.stderr.write(`${posted.created ? 'Commented' : 'Updated the comment'} on pull request #${posted.number}: ${posted.url}\n`);
    return plan;
  }
}
