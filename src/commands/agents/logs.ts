import { Args, Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { untilInterrupted } from '../../cli/interrupt.js';
import { renderLogLine } from '../../cli/render-log-line.js';
import { agentLogs, type AgentLogsResult } from '../../agents/logs-run.js';

export default class AgentsLogs extends BaseCommand<AgentLogsResult> {
  static override summary = "One agent's gateway log, read on its host, with secrets redacted";
  static override description =
    "OpenClaw's own JSON log (/tmp/openclaw/openclaw[-PROFILE]-DATE.log), else the service's journal. Every .env value on the host and anything shaped like a credential is redacted. --follow streams new lines until Ctrl-C.";
  static override examples = [
    '<%= config.bin %> agents logs support-bot',
    '<%= config.bin %> agents logs support-bot --lines 500 --source journal',
    '<%= config.bin %> agents logs support-bot --follow',
  ];
  static override args = { name: Args.string({ ignoreStdin: true, description: 'agent name', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    lines: Flags.integer({ char: 'n', description: 'lines to show from the end', default: 100, min: 1, max: 100_000 }),
    follow: Flags.boolean({ char: 'f', description: 'keep streaming new lines until interrupted', exclusive: ['json'] }),
    source: Flags.option({ options: ['auto', 'file', 'journal'] as const, default: 'auto' as const, description: "OpenClaw's file log, the service journal, or auto (file, else journal)" })(),
  };

  async run(): Promise<AgentLogsResult> {
    const { args, flags } = await this.parse(AgentsLogs);
    const base = { fleetDir: flags.fleet, agent: args.name, source: flags.source, lines: flags.lines };
    if (!flags.follow) {
      const result = await agentLogs(base);
      this.say(result.lines.map(renderLogLine).join('\n'));
      return result;
    }
    return untilInterrupted((signal) => agentLogs({ ...base, follow: { onLine: (l) => this.say(renderLogLine(l)), signal } }));
  }
}
