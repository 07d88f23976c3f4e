import { entryHash, GENESIS, type AuditEntry } from './entry.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry that breaks the chain: its line in the log, and why. */
  broken?: { line: number; seq?: number; reason: string };
}

/** Walks the chain from the start; the first line that does not follow is named. */
export function verifyLog(text: string): VerifyResult {
  let prev = GENESIS;
  let seq = 0;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const at = (reason: string, s?: number) => ({ ok: false, entries: seq, broken: { line: i + 1, ...(s !== undefined ? { seq: s } : {}), reason } });
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      return at('not a JSON entry (torn or edited line)');
    }
    const { hash, ...body } = e;
    if (hash !== entryHash(body)) return at('its content does not match its hash: the entry was edited', e.seq);
    if (e.prev !== prev) return at(e.seq === seq + 1 ? 'it does not follow the entry before it: an entry was replaced' : `it does not follow entry ${seq}: entries were deleted, inserted or reordered`, e.seq);
    if (e.seq !== seq + 1) return at(`sequence ${e.seq} after ${seq}`, e.seq);
    prev = hash;
    seq = e.seq;
  }
  return { ok: true, entries: seq };
}
