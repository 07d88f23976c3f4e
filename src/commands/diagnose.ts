import { Args, Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderDiagnosis } from '../cli/render-diagnose.js';
import { renderProposal } from '../cli/render-propose.js';
import type { DiagnoseResult } from '../diagnose/analyze.js';
import { DEFAULT_LOG_LINES, diagnoseAgent } from '../agents/diagnose-run.js';
import { proposeDiagnosis, type DiagnoseProposal } from '../propose/propose-diagnosis.js';
import { ExitCode } from '../util/errors.js';

export interface DiagnoseCommandResult extends DiagnoseResult {
  /** With --propose: the pull request opened for a declarative cause, or why none was. */
  proposal?: DiagnoseProposal;
}

export default class Diagnose extends BaseCommand<DiagnoseCommandResult> {
  static override summary = 'Walk one agent from host to service, gateway, health, logs and config; name the cause and a fix';
  static override description =
    "Read-only. Log lines are shown with every .env value and anything shaped like a credential redacted. With --propose, a cause whose fix is a manifest change becomes a pull request (the open incident's own, updated if it exists, with the diagnosis and the plan of the change); any other cause is said and nothing is opened. Exit 0 when the agent is healthy, 1 when a problem was found.";
  static override examples = [
    '<%= config.bin %> diagnose support-bot',
    '<%= config.bin %> diagnose support-bot --json',
    '<%= config.bin %> diagnose support-bot --propose   # GITHUB_TOKEN; opens the fix as a pull request',
  ];
  static override args = { agent: Args.string({ ignoreStdin: true, description: 'agent name', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    lines: Flags.integer({ description: 'log lines to read from the journal and the gateway log', default: DEFAULT_LOG_LINES, min: 1, max: 5000 }),
    propose: Flags.boolean({ description: 'when the cause is a manifest change, open it as a pull request (push to origin; GITHUB_TOKEN)', default: false }),
    incident: Flags.string({ description: "with --propose: the incident it fixes (default: the agent's open incident in watch's alert state)", dependsOn: ['propose'] }),
  };

  async run(): Promise<DiagnoseCommandResult> {
    const { args, flags } = await this.parse(Diagnose);
    const planOptions = this.planOptions({ ...flags, target: [], selector: [], concurrency: 1 });
    const result: DiagnoseCommandResult = await diagnoseAgent(planOptions, args.agent, flags.lines);
    this.say(renderDiagnosis(result));
    if (flags.propose) {
      result.proposal = await proposeDiagnosis(planOptions, result, flags.incident);
      this.say(['', result.proposal.proposed ? renderProposal(result.proposal.proposed) : `Not proposed: ${result.proposal.declined}`].join('\n'));
    }
    if (!result.healthy) this.setExit(ExitCode.error);
    return result;
  }
}
