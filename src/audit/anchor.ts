import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../util/hash.js';

/** The newest entry this machine wrote to or read from a log: its sequence number and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** When this machine saw it. */
  at: string;
}

/**
 * Heads of audit logs, kept outside the fleet repository (XDG state dir), as transparency
 * logs keep signed tree heads apart from the log: cutting entries from a log's end, emptying
 * it, deleting it or rewriting it then no longer verifies, unless whoever does it also finds
 * and rewrites this file. The head only moves forward.
 */
export function anchorFile(logId: string): string {
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'clawctl', 'audit-heads', `${sha256(logId).slice(0, 32)}.json`);
}

export async function readHead(logId: string): Promise<AuditHead | undefined> {
  try {
    return JSON.parse(await readFile(anchorFile(logId), 'utf8')) as AuditHead;
  } catch {
    return undefined;
  }
}

/** Record a head seen now; an older one than what is kept is ignored (heads never go back). */
export async function advanceHead(logId: string, head: Omit<AuditHead, 'at'>): Promise<void> {
  const kept = await readHead(logId);
  if (kept && kept.seq >= head.seq) return;
  const file = anchorFile(logId);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.${process.pid}.tmp`, `${JSON.stringify({ ...head, at: new Date().toISOString() })}\n`, { mode: 0o600 });
  await rename(`${file}.${process.pid}.tmp`, file);
}
