import { clawctlStateDir, fleetRepoRoot } from '../load/repo-root.js';
import { currentActor } from './actor.js';
import { advanceHead } from './anchor.js';
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

/**
 * The fleet's audit log; the actor is worked out once, when the first entry is written.
 * A secret read for the same purpose is recorded once per process: watch and the dashboard
 * read every secret each cycle (to compare keyed hashes, never to reveal), and an entry per
 * cycle would grow the log without bound while saying nothing new.
 */
export function auditLog(fleetDir: string, mode: AuditMode): AuditSink {
  const store = auditStore(fleetDir, mode);
  let actor: Promise<string> | undefined;
  const readsSeen = new Set<string>();
  return {
    async record(records) {
      const fresh = records.filter((r) => {
        if (r.action !== 'secret.read') return true;
        const key = JSON.stringify([r.target, r.details]);
        if (readsSeen.has(key)) return false;
        readsSeen.add(key);
        return true;
      });
      if (fresh.length === 0) return;
      const entries = await store.append(fresh, await (actor ??= currentActor(fleetRepoRoot(fleetDir))));
      const last = entries.at(-1);
      if (last) await advanceHead(store.logId, { seq: last.seq, hash: last.hash });
    },
  };
}
