import { Args, Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { restartAgent, type RestartResult } from '../../agents/restart-run.js';
import { auditLog } from '../../audit/audit-log.js';
import { ExitCode } from '../../util/errors.js';

export default class AgentsRestart extends BaseCommand<RestartResult> {
  static override summary = "Restart one agent's gateway through its service manager and wait until it is ready";
  static override description =
    "The one imperative action: no file changes, under the fleet lock, audited (agent.restart). Exit 1 when the gateway is not ready within the timeout (default: the Fleet's rollout.healthTimeoutSeconds); `clawctl diagnose AGENT` then says why.";
  static override examples = ['<%= config.bin %> agents restart support-bot', '<%= config.bin %> agents restart support-bot --timeout 120 --json'];
  static override args = { name: Args.string({ ignoreStdin: true, description: 'agent name', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    timeout: Flags.integer({ description: 'seconds the restart and the wait for /readyz may take (a stop that hangs is forced within it)', min: 1, max: 3600 }),
  };

  async run(): Promise<RestartResult> {
    const { args, flags } = await this.parse(AgentsRestart);
    const result = await restartAgent({ fleetDir: flags.fleet, agent: args.name, ...(flags.timeout ? { timeoutSeconds: flags.timeout } : {}), audit: auditLog(flags.fleet, flags.audit) });
    const forced = result.forced?.length ? ` It had to be forced: ${result.forced.join('; ')}.` : '';
    if (result.healthy) this.say(`Restarted ${result.agent} on ${result.host} via ${result.service}; ready after ${result.seconds} s (was ${result.before}).${forced}`);
    else {
      // Say what happened, not "restarted" when nothing came up.
      const what =
        result.before === 'down'
          ? `${result.agent} on ${result.host} was not running, and starting it via ${result.service} did not make it ready`
          : `The restart of ${result.agent} on ${result.host} via ${result.service} did not make it ready`;
      this.say(`${what}: ${result.detail ?? 'no answer from /readyz'}.${forced}\nNext: clawctl diagnose ${result.agent}`);
      this.setExit(ExitCode.error);
    }
    return result;
  }
}
