import { Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderHistory, renderStatusTable } from '../cli/render-status.js';
import { observeStatus } from '../engine/status-run.js';
import type { AgentStatus } from '../engine/status.js';
import { parseWindow, readHealth, summarizeHealth, type AgentHistory } from '../history/health-history.js';
import { ClawctlError, ExitCode } from '../util/errors.js';

export interface StatusResult {
  agents: AgentStatus[];
  /** With --since: each agent's uptime and changes of state, from the history watch and the dashboard keep. */
  history?: { since: string; agents: AgentHistory[] };
}

export default class Status extends BaseCommand<StatusResult> {
  static override summary = 'Each agent: online / degraded / offline / unknown, version and drift';
  static override description = "Reads the gateways' own health probes (/readyz, /startupz) over one connection per host. Exit 1 if a host is unreachable.";
  static override flags = {
    ...fleetFlags,
    since: Flags.string({ description: 'also show uptime and changes of state over this window (e.g. 24h, 30m, 7d), from the health history `watch` and `dashboard` record' }),
  };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const window = flags.since === undefined ? undefined : parseWindow(flags.since);
    if (flags.since !== undefined && window === undefined)
      throw new ClawctlError(`--since ${flags.since}: not a window`, [{ message: `--since takes a number and a unit (s, m, h, d), got "${flags.since}"`, hint: 'e.g. --since 24h' }]);
    const { agents } = await observeStatus(this.planOptions(flags));
    this.say(renderStatusTable(agents));
    if (agents.some((a) => a.state === 'unknown')) this.setExit(ExitCode.error);
    if (window === undefined) return { agents };
    const since = new Date(Date.now() - window);
    const history = {
      since: since.toISOString(),
      agents: summarizeHealth(
        await readHealth(flags.fleet, since),
        agents.map((a) => a.agent),
      ),
    };
    this.say(renderHistory(history.agents, flags.since!));
    return { agents, history };
  }
}
