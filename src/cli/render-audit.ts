import type { AuditEntry } from '../audit/entry.js';
import { table } from './table.js';

/**
 * Audit entries as a person reads them: columns with a header, the time to the second, the
 * actor as its kind and name (`ci:owner/repo#run`, `git:Name`, `user:name@host`) without the
 * email, the plan's hash short. `--json` keeps every field whole.
 */
export function renderAuditTable(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => [String(e.seq), e.time.replace(/\.\d+Z$/, 'Z'), shortActor(e.actor), e.action, e.target, e.result, e.planHash ? e.planHash.slice(0, 19) : '']);
  return table(['SEQ', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'RESULT', 'PLAN'], rows);
}

function shortActor(actor: string): string {
  return actor.replace(/ <[^>]*>$/, '');
}
