import { GENESIS, seal, type AuditEntry, type AuditRecord } from './entry.js';

/** Where the chain continues: the last well-formed entry of a log's text, if any. */
export function chainTip(text: string): { seq: number; prev: string } {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.trim()) continue;
    try {
      const last = JSON.parse(lines[i]!) as Partial<AuditEntry>;
      if (typeof last.seq === 'number' && typeof last.hash === 'string') return { seq: last.seq, prev: last.hash };
    } catch {
      // A torn last line (a crash mid-append) stays for `audit verify` to report; the chain
      // continues from the last whole entry.
    }
  }
  return { seq: 0, prev: GENESIS };
}

/** The records sealed onto the chain after `tip`, as JSONL to append. */
export function extend(tip: { seq: number; prev: string }, records: readonly AuditRecord[], actor: string, time: Date): { entries: AuditEntry[]; text: string } {
  const entries: AuditEntry[] = [];
  let { seq, prev } = tip;
  for (const r of records) {
    const e = seal(r, { seq: ++seq, prev, time: time.toISOString(), actor });
    entries.push(e);
    prev = e.hash;
  }
  return { entries, text: entries.map((e) => `${JSON.stringify(e)}\n`).join('') };
}
