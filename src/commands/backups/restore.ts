import { Args } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { restoreBackup, type BackupRestoreResult } from '../../backups/backups-run.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { ExitCode } from '../../util/errors.js';

export default class BackupsRestore extends BaseCommand<BackupRestoreResult> {
  static override summary = "Put an agent's state back from a backup its host's OpenClaw version made";
  static override description =
    "Under the fleet lock: OpenClaw's own `backup restore` into a fresh dir, the gateway stopped, the current state dir kept aside (<dir>.clawctl-before-restore-<time>), the restored one in its place, the gateway started and health-gated; audited (backup.restore). Without ID, the newest backup made by the version the host runs. Restoring is time travel: channel sessions and approvals go back too.";
  static override examples = ['<%= config.bin %> backups restore support-bot', '<%= config.bin %> backups restore support-bot 2026-12-01T21-31-18.233+00-00-openclaw-backup.tar.gz'];
  static override args = {
    agent: Args.string({ ignoreStdin: true, description: 'agent name', required: true }),
    id: Args.string({ ignoreStdin: true, description: 'a backup, as `backups list` names it' }),
  };
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit, concurrency: fleetFlags.concurrency };

  async run(): Promise<BackupRestoreResult> {
    const { args, flags } = await this.parse(BackupsRestore);
    const result = await restoreBackup({ fleetDir: flags.fleet, agent: args.agent, audit: auditLog(flags.fleet, flags.audit), concurrency: flags.concurrency, ...(args.id ? { id: args.id } : {}) });
    if (result.healthy) this.say(`Restored ${result.agent} on ${result.host} from ${result.backup.id} (OpenClaw ${result.backup.version}); its gateway is ready.`);
    else {
      this.say(`Restoring ${result.agent} on ${result.host} from ${result.backup.id}: ${result.detail ?? 'the gateway is not ready'}.\nNext: clawctl diagnose ${result.agent}`);
      this.setExit(ExitCode.error);
    }
    return result;
  }
}
