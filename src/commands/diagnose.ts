import { Args, Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderDiagnosis } from '../cli/render-diagnose.js';
import type { DiagnoseResult } from '../diagnose/analyze.js';
import { diagnoseAgent } from '../engine/diagnose-run.js';
import { ExitCode } from '../util/errors.js';

export default class Diagnose extends BaseCommand<DiagnoseResult> {
  static override summary = 'Walk one agent from host to service, gateway, health, logs and config; name the cause and a fix';
  static override description = 'Read-only. Log lines are shown with every .env value and anything shaped like a credential redacted. Exit 0 when the agent is healthy, 1 when a problem was found.';
  static override examples = ['<%= config.bin %> diagnose support-bot', '<%= config.bin %> diagnose support-bot --json'];
  static override args = { agent: Args.string({ ignoreStdin: true, description: 'agent name', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    lines: Flags.integer({ description: 'log lines to read from the journal and the gateway log', default: 80, min: 1, max: 5000 }),
  };

  async run(): Promise<DiagnoseResult> {
    const { args, flags } = await this.parse(Diagnose);
    const result = await diagnoseAgent(this.planOptions({ ...flags, target: [], selector: [], concurrency: 1 }), args.agent, flags.lines);
    this.say(renderDiagnosis(result));
    if (!result.healthy) this.setExit(ExitCode.error);
    return result;
  }
}
