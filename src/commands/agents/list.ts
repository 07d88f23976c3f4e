import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderStatusTable } from '../../cli/render-status.js';
import { observeStatus } from '../../engine/status-run.js';
import type { AgentStatus } from '../../engine/status.js';

export interface AgentsListResult {
  agents: AgentStatus[];
}

export default class AgentsList extends BaseCommand<AgentsListResult> {
  static override summary = 'List the agents of the fleet with their host, state and drift';
  static override flags = { ...fleetFlags };

  async run(): Promise<AgentsListResult> {
    const { flags } = await this.parse(AgentsList);
    const { agents } = await observeStatus(this.planOptions(flags));
    this.say(renderStatusTable(agents));
    return { agents };
  }
}
