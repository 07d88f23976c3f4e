import { Flags } from '@oclif/core';
import { BaseCommand, checkFlags, fleetFlags } from '../cli/base-command.js';
import { untilInterrupted } from '../cli/interrupt.js';
import { renderWatchCycle } from '../cli/render-watch.js';
import { cycleExitCode, watchFleet, type WatchCycle } from '../engine/watch-run.js';

export interface WatchResult {
  cycles: number;
}

export default class Watch extends BaseCommand<WatchResult> {
  static override summary = 'The reconcile loop: plan again whenever fleet/ changes and every --interval, and with --apply, apply';
  static override description =
    `Every cycle observes every host afresh (level-based), so drift made on a host is found within one interval. Without --apply it only reports; with --apply it applies each plan under the fleet lock, rolling and health-gated, like \`clawctl apply --auto-approve\` (policy violations are refused and reported). A failed cycle is reported and the loop goes on. --json prints each cycle as one JSON line. Ends on SIGINT or SIGTERM, between cycles.

With the Fleet's spec.alerts, each cycle also sends alerts: one message when an incident (agent down or degraded, drift, a failed apply, a policy violation) opens and one when it resolves, kept in .clawctl/state/alerts.json across restarts. --once runs one cycle and exits with its code (0, 1 error or an alert not sent, 3 refused by policy, 4 partly applied), for cron and scheduled CI.`;
  static override examples = [
    '<%= config.bin %> watch',
    '<%= config.bin %> watch --apply --interval 120',
    '<%= config.bin %> watch --json | jq .outcome',
    '<%= config.bin %> watch --once   # from cron: one cycle, its alerts, its exit code',
  ];
  static override flags = {
    ...fleetFlags,
    ...checkFlags,
    interval: Flags.integer({ description: 'seconds between drift checks', default: 300, min: 1 }),
    apply: Flags.boolean({ description: 'apply what each cycle plans (self-heal)', default: false }),
    prune: Flags.boolean({ description: 'also plan (and with --apply, carry out) the removal of agents that left the fleet', default: false }),
    once: Flags.boolean({ description: 'run one cycle (and send its alerts), then exit with its exit code', default: false }),
  };

  async run(): Promise<WatchResult> {
    const { flags } = await this.parse(Watch);
    const { cycles, last } = await untilInterrupted((signal) =>
      watchFleet({
        plan: { ...this.planOptions(flags), prune: flags.prune, decrypt: flags.apply },
        intervalSeconds: flags.interval,
        apply: flags.apply,
        once: flags.once,
        signal,
        onCycle: (c: WatchCycle) => (this.jsonEnabled() ? process.stdout.write(`${JSON.stringify(c)}\n`) : this.say(`${renderWatchCycle(c)}\n`)),
      }),
    );
    if (flags.once && last) this.setExit(cycleExitCode(last));
    return { cycles };
  }

  /** Under --json each cycle was already one line on stdout; a closing object would break the stream. */
  protected override logJson(): void {}
}
