import { advanceHead, readHead, type AuditHead } from './anchor.js';
import type { AuditStore } from './store.js';
import { entryHash, GENESIS, type AuditEntry } from './entry.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry that breaks the chain: its line in the log, and why. */
  broken?: { line?: number; seq?: number; reason: string };
  /** The last entry's hash, when the chain is intact: the head to keep. */
  head?: string;
}

/**
 * Walks the chain from the start; the first line that does not follow is named. With the
 * head this machine kept, a log cut short, emptied or rewritten up to it is broken too.
 */
export function verifyLog(text: string, kept?: AuditHead): VerifyResult {
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
    if (e.prev !== prev)
      return at(e.seq === seq + 1 ? 'it does not follow the entry before it: an entry was replaced' : `it does not follow entry ${seq}: entries were deleted, inserted or reordered`, e.seq);
    if (e.seq !== seq + 1) return at(`sequence ${e.seq} after ${seq}`, e.seq);
    if (kept && e.seq === kept.seq && hash !== kept.hash) return at(`entry ${e.seq} is not the one this machine saw on ${kept.at}: the log was rewritten`, e.seq);
    prev = hash;
    seq = e.seq;
  }
  if (kept && kept.seq > seq) {
    return {
      ok: false,
      entries: seq,
      broken: {
        line: lines.length + 1,
        reason: `the log ends at entry ${seq}, but this machine saw entry ${kept.seq} on ${kept.at}: entries were cut from its end, or it was emptied, deleted or replaced`,
      },
    };
  }
  return { ok: true, entries: seq, ...(seq > 0 ? { head: prev } : {}) };
}

/**
 * A store's log checked three ways: its chain, against the head this machine kept (a cut,
 * emptied or replaced log), and against the store's own history where it has one (the git
 * branch: no pushed entry removed). An intact log moves the kept head forward.
 */
export async function verifyStore(store: AuditStore): Promise<VerifyResult> {
  const result = verifyLog(await store.read(), await readHead(store.logId));
  if (!result.ok) return result;
  const rewritten = await store.history?.();
  if (rewritten) return { ok: false, entries: result.entries, broken: { reason: rewritten } };
  if (result.head) await advanceHead(store.logId, { seq: result.entries, hash: result.head });
  return result;
}
