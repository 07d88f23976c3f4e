import type { AuditEntry, AuditRecord } from './entry.js';

/** Where audit entries are kept: a file in the fleet repo, or a branch of its remote. */
export interface AuditStore {
  /** For messages: the file, or remote and branch. */
  where: string;
  /** Seals the records onto the chain and stores them; never rewrites what is there. */
  append(records: readonly AuditRecord[], actor: string): Promise<AuditEntry[]>;
  /** The whole log as JSONL text. */
  read(): Promise<string>;
}
