import { createInterface } from 'node:readline/promises';
import { Args, Flags } from '@oclif/core';
import type { ApplyResult } from '../apply/apply-result.js';
import { BaseCommand, checkFlags, fleetFlags } from '../cli/base-command.js';
import { renderApplyText } from '../cli/render-apply.js';
import { applySavedPlan, planThenApply, withFleetLock } from '../engine/apply-run.js';
import { checkApprovalsAllowed } from '../engine/policy-check.js';
import { checkPlanInShard } from '../engine/shard.js';
import { withShardLock } from '../engine/shard-lock.js';
import { hasWork, type Plan } from '../plan/plan.js';
import { readPlan } from '../plan/plan-file.js';
import { renderPlanText } from '../plan/render-text.js';
import { ClawctlError, ExitCode } from '../util/errors.js';

export interface ApplyCommandResult {
  plan?: Plan;
  result: ApplyResult | null;
  approved: boolean;
}

export default class Apply extends BaseCommand<ApplyCommandResult> {
  static override summary = 'Make the hosts match the fleet: a saved plan exactly, or plan then ask';
  static override description =
    `Wave by wave (the Fleet's rollout.waves), each in batches of rollout.maxUnavailable and soaked; a failed agent is rolled back, a failed wave's hosts go back to their OpenClaw version, and the rollout stops. One apply per fleet at a time.
Exit codes: 0 applied (or nothing to do), 1 error or refused, 3 refused by policy (nothing applied), 4 some agents failed and were rolled back while others applied.`;
  static override examples = ['<%= config.bin %> apply', '<%= config.bin %> apply plan.json', '<%= config.bin %> apply --auto-approve --json'];
  static override args = { planfile: Args.file({ ignoreStdin: true, description: 'a plan saved by `clawctl plan --out`', exists: true }) };
  static override flags = {
    ...fleetFlags,
    ...checkFlags,
    'auto-approve': Flags.boolean({ description: 'apply without asking (CI)' }),
    approve: Flags.string({ description: 'approve the actions a policy rule holds for approval, as <policy>/<rule>; only in a human-triggered run; repeatable', multiple: true }),
    until: Flags.string({ description: "stop after this canary wave (the Fleet's spec.rollout.waves), so a person can look before the rest goes; the next apply continues" }),
  };

  async run(): Promise<ApplyCommandResult> {
    const { args, flags } = await this.parse(Apply);
    const approvals = flags.approve ?? [];
    checkApprovalsAllowed(approvals);
    const options = { ...this.planOptions(flags), approvals, decrypt: true, ...(flags.until ? { until: flags.until } : {}) };
    const command = ['clawctl', 'apply', ...this.argv].join(' ');
    // A shard applies under its own lock, beside the other shards of its matrix.
    const locked = <T>(fn: () => Promise<T>) => (options.scope.shard ? withShardLock(flags.fleet, options.scope.shard, command, fn) : withFleetLock(flags.fleet, command, fn));
    const out = await locked(async (): Promise<ApplyCommandResult> => {
      if (args.planfile) {
        const plan = await readPlan(args.planfile);
        if (options.scope.shard) checkPlanInShard(plan, options.scope.shard);
        // Shown only once it is verified: a stale or edited plan is refused before it is printed.
        const result = await applySavedPlan(plan, options, () => this.say(renderPlanText(plan)));
        return { plan, result, approved: true };
      }
      let approved = false;
      const { plan, result } = await planThenApply(options, async (run) => {
        this.say(renderPlanText(run.plan));
        approved = flags['auto-approve'] || (await this.confirm());
        return approved;
      });
      if (!hasWork(plan)) this.say(renderPlanText(plan));
      return { plan, result: result ?? null, approved };
    });
    if (out.result) this.say(renderApplyText(out.result));
    else if (out.plan && hasWork(out.plan)) this.say('Apply cancelled.');
    const unreachable = (out.plan?.unreachable.length ?? 0) > 0;
    const status = out.result?.status;
    if (status === 'partial') this.setExit(ExitCode.partial);
    else if (status === 'failed' || unreachable) this.setExit(ExitCode.error);
    return out;
  }

  private async confirm(): Promise<boolean> {
    if (!process.stdin.isTTY) {
      throw new ClawctlError('apply needs approval, and there is no terminal to ask', [
        { message: 'stdin is not a terminal', hint: 'review `clawctl plan`, then run `clawctl apply --auto-approve`, or apply a saved plan file' },
      ]);
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question('\nDo you want to perform these actions? Only "yes" will be accepted: ');
    rl.close();
    return answer.trim() === 'yes';
  }
}
