import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderStatusTable } from '../cli/render-status.js';
import { observeStatus } from '../engine/status-run.js';
import type { AgentStatus } from '../engine/status.js';
import { ExitCode } from '../util/errors.js';

export interface StatusResult {
  agents: AgentStatus[];
}

export default class Status extends BaseCommand<StatusResult> {
  static override summary = 'Each agent: online / degraded / offline / unknown, version and drift';
  static override description = 'Reads the gateways\' own health probes (/readyz, /startupz) over one connection per host. Exit 1 if a host is unreachable.';
  static override flags = { ...fleetFlags };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const { agents } = await observeStatus(this.planOptions(flags));
    this.say(renderStatusTable(agents));
    if (agents.some((a) => a.state === 'unknown')) this.setExit(ExitCode.error);
    return { agents };
  }
}
