import { clawctlStateDir, fleetRepoRoot } from '../load/repo-root.js';
import { currentActor } from './actor.js';
import type { AuditRecord } from './entry.js';
import { fileStore } from './file-store.js';
import { gitStore } from './git-store.js';
import type { AuditStore } from './store.js';

/** What the engine records into; it does not know where entries go. */
export interface AuditSink {
  record(records: readonly AuditRecord[]): Promise<void>;
}

export type AuditMode = 'file' | 'git';

export function auditStore(fleetDir: string, mode: AuditMode): AuditStore {
  const stateDir = clawctlStateDir(fleetDir);
  return mode === 'git' ? gitStore(fleetRepoRoot(fleetDir), stateDir) : fileStore(stateDir);
}

/** The fleet's audit log; the actor is worked out once, when the first entry is written. */
export function auditLog(fleetDir: string, mode: AuditMode): AuditSink {
  const store = auditStore(fleetDir, mode);
  let actor: Promise<string> | undefined;
  return {
    async record(records) {
      if (records.length === 0) return;
      await store.append(records, await (actor ??= currentActor(fleetRepoRoot(fleetDir))));
    },
  };
}
