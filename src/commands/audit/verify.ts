import { auditStore } from '../../audit/audit-log.js';
import { verifyStore, type VerifyResult } from '../../audit/verify.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { ExitCode } from '../../util/errors.js';
import { plural } from '../../cli/plural.js';

export interface AuditVerifyResult extends VerifyResult {
  /** The log checked: a file, or a remote branch. */
  where: string;
}

export default class AuditVerify extends BaseCommand<AuditVerifyResult> {
  static override summary = "Check the audit log's hash chain; name the first edited, deleted, inserted or reordered entry";
  static override description = 'Exit 1 when the chain is broken.';
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<AuditVerifyResult> {
    const { flags } = await this.parse(AuditVerify);
    const store = auditStore(flags.fleet, flags.audit);
    const result = await verifyStore(store);
    if (result.broken) {
      const b = result.broken;
      const where = b.line !== undefined ? `${store.where}:${b.line}` : store.where;
      const before = result.entries === 1 ? 'The 1 entry before it verifies' : `The ${result.entries} entries before it verify`;
      this.say(`${where}: ${b.seq !== undefined ? `entry ${b.seq}: ` : ''}${b.reason}. ${before}.`);
      this.setExit(ExitCode.error);
    } else {
      this.say(`${store.where}: ${plural(result.entries, 'entry', 'entries')}, chain intact, nothing this machine saw is missing.`);
    }
    return { ...result, where: store.where };
  }
}
