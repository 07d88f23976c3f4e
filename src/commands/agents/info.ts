import { Args } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { observeStatus } from '../../engine/status-run.js';
import { agentNamed } from '../../agents/agent-target.js';
import type { AgentStatus } from '../../engine/status.js';
import type { AgentPlan } from '../../plan/plan.js';
import { renderAgentPlanText } from '../../plan/render-text.js';
import { costCell, costNotes } from '../../cli/render-cost.js';

export interface AgentInfoResult {
  status: AgentStatus;
  labels: Record<string, string>;
  config: unknown;
  /** Names only: values are secrets. */
  envNames: string[];
  pending: AgentPlan | null;
}

export default class AgentsInfo extends BaseCommand<AgentInfoResult> {
  static override summary = 'One agent in detail: status, desired config, .env names, pending changes';
  static override args = { name: Args.string({ ignoreStdin: true, description: 'agent name', required: true }) };
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<AgentInfoResult> {
    const { args, flags } = await this.parse(AgentsInfo);
    const { agents, run } = await observeStatus(this.planOptions({ ...flags, target: [args.name], selector: [], concurrency: 1 }));
    const desired = agentNamed(run.desired, args.name);
    const status = agents.find((a) => a.agent === desired.name)!;
    const pending = run.plan.changes.find((c) => c.agent === args.name) ?? null;
    const info: AgentInfoResult = { status, labels: desired.labels, config: desired.config, envNames: Object.keys(desired.env).sort(), pending };
    this.say(
      [
        `agent ${status.agent} on host ${status.host} (~/${status.stateDir}, port ${status.port})`,
        `  state:    ${status.state} (${status.reason})`,
        `  version:  pinned ${status.version.pinned ?? '-'}, installed ${status.version.installed ?? '-'}, running ${status.version.running ?? '-'}`,
        `  role:     ${status.role ?? '-'}`,
        `  cost:     ${costCell(status)}${status.cost?.state === 'known' ? ` (today ${status.cost.day} / month ${status.cost.month}, from OpenClaw's usage cost)` : ''}`,
        ...costNotes([status]).map((line) => `  ${line.trim()}`),
        ...(status.responseMs !== undefined ? [`  response: /readyz in ${status.responseMs} ms`] : []),
        `  labels:   ${
          Object.entries(desired.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '-'
        }`,
        `  env:      ${info.envNames.join(', ')}`,
        '',
        pending ? renderAgentPlanText(run.plan, pending) : '  no drift',
      ].join('\n'),
    );
    return info;
  }
}
