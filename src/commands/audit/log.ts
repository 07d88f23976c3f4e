import { Flags } from '@oclif/core';
import { auditStore } from '../../audit/audit-log.js';
import type { AuditEntry } from '../../audit/entry.js';
import { queryLog } from '../../audit/query.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { ClawctlError } from '../../util/errors.js';
import { renderAuditTable } from '../../cli/render-audit.js';

export interface AuditLogResult {
  entries: AuditEntry[];
}

export default class AuditLog extends BaseCommand<AuditLogResult> {
  static override summary = 'Show audit log entries: applies, agent actions, secret reads and writes, lock breaks';
  static override examples = ['<%= config.bin %> audit log --since 2026-11-01 --action secret', '<%= config.bin %> audit log --agent support-bot --json'];
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    since: Flags.string({ description: 'only entries at or after this time (ISO 8601, e.g. 2026-11-01 or 2026-11-01T12:00:00Z)' }),
    agent: Flags.string({ description: 'only entries about this agent' }),
    action: Flags.string({ description: 'only this action, or a family of them (secret = secret.read + secret.write)' }),
    actor: Flags.string({ description: 'only entries whose actor contains this text' }),
  };

  async run(): Promise<AuditLogResult> {
    const { flags } = await this.parse(AuditLog);
    const since = flags.since === undefined ? undefined : new Date(flags.since);
    if (since && Number.isNaN(since.getTime())) throw new ClawctlError(`--since ${flags.since}: not a date`, [{ message: `--since takes an ISO 8601 date or time, got "${flags.since}"` }]);
    const entries = queryLog(await auditStore(flags.fleet, flags.audit).read(), { agent: flags.agent, action: flags.action, actor: flags.actor, since });
    this.say(entries.length === 0 ? 'No entries.' : renderAuditTable(entries));
    return { entries };
  }
}
