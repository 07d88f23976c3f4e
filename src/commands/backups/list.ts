import { Args } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { table } from '../../cli/table.js';
import { listBackups, type BackupsListResult } from '../../backups/backups-run.js';
import { ExitCode } from '../../util/errors.js';

export default class BackupsList extends BaseCommand<BackupsListResult> {
  static override summary = "List the backups kept on the hosts: each agent's, made by OpenClaw before its host switched version";
  static override examples = ['<%= config.bin %> backups list', '<%= config.bin %> backups list support-bot --json'];
  static override args = { agent: Args.string({ ignoreStdin: true, description: 'only this agent' }) };
  static override flags = { fleet: fleetFlags.fleet, concurrency: fleetFlags.concurrency };

  async run(): Promise<BackupsListResult> {
    const { args, flags } = await this.parse(BackupsList);
    const result = await listBackups({ fleetDir: flags.fleet, concurrency: flags.concurrency, ...(args.agent ? { agent: args.agent } : {}) });
    const rows = result.backups.map((b) => [b.agent, b.host, b.version, b.id, `${Math.round(b.bytes / 1024)} KiB`]);
    this.say(rows.length > 0 ? table(['AGENT', 'HOST', 'OPENCLAW', 'ID', 'SIZE'], rows) : 'No backups kept. An upgrade makes one of each agent before its host switches version.');
    for (const u of result.unreachable) this.warnLine(`host ${u.host}: ${u.error}`);
    if (result.unreachable.length > 0) this.setExit(ExitCode.error);
    return result;
  }
}
