import { Args, Flags } from '@oclif/core';
import { auditLog } from '../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderImport } from '../cli/render-import.js';
import { importHost, type ImportResult } from '../engine/import-run.js';
import { ExitCode, formatDiagnostic } from '../util/errors.js';

export default class Import extends BaseCommand<ImportResult> {
  static override summary = 'Adopt the OpenClaw installations on a declared host: write their Agent manifests, their .env values into SOPS';
  static override description =
    'Reads every state dir (~/.openclaw, ~/.openclaw-<profile>) in one command and changes nothing on the host. Each becomes fleet/agents/<agent>.yaml with its openclaw.json beside it as it is (comments kept), its .env values in fleet/secrets/<agent>.sops.yaml as secretRefs, and its cron jobs in spec.cron. Agents the fleet declares already are reported, not written again.';
  static override examples = ['<%= config.bin %> import lab-1 --dry-run', '<%= config.bin %> import lab-1 && <%= config.bin %> plan'];
  static override args = { host: Args.string({ ignoreStdin: true, description: 'a Host of the fleet', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    'dry-run': Flags.boolean({ description: 'print what would be written, and write nothing' }),
    secrets: Flags.option({
      options: ['all', 'credentials'] as const,
      default: 'all' as const,
      description: '.env values that go into SOPS: every one, or only those that look like credentials (the rest stay literals in the manifest)',
    })(),
  };

  async run(): Promise<ImportResult> {
    const { args, flags } = await this.parse(Import);
    const result = await importHost({ fleetDir: flags.fleet, host: args.host, dryRun: flags['dry-run'], secrets: flags.secrets, audit: auditLog(flags.fleet, flags.audit) });
    this.say(renderImport(result));
    if (this.jsonEnabled()) for (const p of result.problems) this.warnLine(formatDiagnostic(p));
    if (result.problems.length > 0) this.setExit(ExitCode.error);
    return result;
  }
}
