import type { AuditEntry, AuditRecord } from './entry.js';

/** Where audit entries are kept: a file in the fleet repo, or a branch of its remote. */
export interface AuditStore {
  /** For messages: the file, or remote and branch. */
  where: string;
  /** Names the log for its kept head (anchor.ts): the file's path, or the remote and branch. */
  logId: string;
  /** Seals the records onto the chain and stores them; never rewrites what is there. */
  append(records: readonly AuditRecord[], actor: string): Promise<AuditEntry[]>;
  /** The whole log as JSONL text. */
  read(): Promise<string>;
  /** Where the store's own history shows an entry rewritten or removed, the first such change. */
  history?(): Promise<string | undefined>;
}
