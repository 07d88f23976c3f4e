import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lockFile } from '../util/file-lock.js';
import { chainTip, extend } from './chain.js';
import type { AuditEntry, AuditRecord } from './entry.js';
import type { AuditStore } from './store.js';

/** The embedded default: `.clawctl/audit.jsonl` in the fleet repo, appended under a lock. */
export function fileStore(stateDir: string): AuditStore {
  const path = join(stateDir, 'audit.jsonl');
  return {
    where: path,
    logId: `file:${resolve(path)}`,
    async append(records: readonly AuditRecord[], actor: string): Promise<AuditEntry[]> {
      await mkdir(stateDir, { recursive: true });
      await (await open(path, 'a', 0o644)).close();
      // Two processes appending at once must not both continue from the same tip.
      const release = await lockFile(path, { realpath: false, stale: 15_000, retries: { retries: 200, minTimeout: 5, maxTimeout: 100, randomize: true } });
      try {
        const text = await readFile(path, 'utf8');
        const { entries, text: lines } = extend(chainTip(text), records, actor, new Date());
        const fh = await open(path, 'a');
        try {
          await fh.writeFile((text.length > 0 && !text.endsWith('\n') ? '\n' : '') + lines);
          await fh.sync();
        } finally {
          await fh.close();
        }
        return entries;
      } finally {
        await release();
      }
    },
    read: () => readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err))),
  };
}
