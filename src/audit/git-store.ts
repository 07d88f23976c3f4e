import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { lockFile } from '../util/file-lock.js';
import { chainTip, extend } from './chain.js';
import type { AuditEntry, AuditRecord } from './entry.js';
import type { AuditStore } from './store.js';

export const AUDIT_BRANCH = 'clawctl/audit';
const LOG = 'audit.jsonl';
const ATTEMPTS = 20;
// One clone per machine: local processes take turns; other machines are ordered by the push.
const LOCK = { realpath: false, stale: 60_000, retries: { retries: 600, minTimeout: 20, maxTimeout: 200 } };

/**
 * For CI (`--audit git`): entries are commits on a dedicated branch of the fleet repo's
 * remote, so they outlive the runner and are reviewed like code. Only fast-forward pushes:
 * when another run appended first, the push is refused and the records are sealed again
 * onto the new tip. History is never rewritten.
 */
export function gitStore(repoDir: string, stateDir: string, remote = 'origin'): AuditStore {
  const work = join(stateDir, 'audit-git');
  const open = async (): Promise<{ git: SimpleGit; exists: boolean }> => {
    // simple-git is loaded when the log is used: a run that records nothing never needs it.
    const { gitAt } = await import('../util/git.js');
    const url = (await gitAt(repoDir).remote(['get-url', remote]))?.trim();
    if (!url) throw new Error(`the fleet repo has no remote "${remote}" to keep the audit branch on`);
    await mkdir(work, { recursive: true });
    // The committer is clawctl; who acted is in each entry.
    const git = gitAt(work, ['user.name=clawctl', 'user.email=clawctl@localhost', 'commit.gpgsign=false']);
    // Its own clone: .clawctl/ sits inside the fleet repo, whose work tree must stay untouched.
    if (!existsSync(join(work, '.git'))) await git.init().addRemote('origin', url);
    else await git.remote(['set-url', 'origin', url]);
    const exists = (await git.listRemote(['--heads', 'origin', AUDIT_BRANCH])).trim() !== '';
    if (exists) {
      await git.fetch('origin', AUDIT_BRANCH);
      await git.raw(['checkout', '-f', '-B', AUDIT_BRANCH, 'FETCH_HEAD']);
    } else {
      await git.raw(['checkout', '-f', '--orphan', AUDIT_BRANCH]);
      await git.raw(['rm', '-rf', '--cached', '--ignore-unmatch', '.']);
      await writeFile(join(work, LOG), '');
    }
    return { git, exists };
  };
  const text = () => readFile(join(work, LOG), 'utf8').catch(() => '');
  return {
    where: `${remote} branch ${AUDIT_BRANCH}`,
    logId: `git:${resolve(repoDir)}:${remote}:${AUDIT_BRANCH}`,
    async append(records: readonly AuditRecord[], actor: string): Promise<AuditEntry[]> {
      await mkdir(stateDir, { recursive: true });
      const release = await lockFile(work, LOCK);
      try {
        for (let attempt = 1; ; attempt++) {
          const { git } = await open();
          const { entries, text: lines } = extend(chainTip(await text()), records, actor, new Date());
          await writeFile(join(work, LOG), (await text()) + lines);
          await git.add(LOG);
          await git.commit(
            `audit: ${entries
              .map((e) => `${e.action} ${e.target}`)
              .join('; ')
              .slice(0, 200)}`,
            { '--no-verify': null },
          );
          try {
            await git.push('origin', AUDIT_BRANCH);
            return entries;
          } catch (err) {
            if (attempt >= ATTEMPTS) throw new Error(`could not push the audit branch ${AUDIT_BRANCH} after ${ATTEMPTS} attempts: ${(err as Error).message}`);
          }
        }
      } finally {
        await release();
      }
    },
    /**
     * The branch's pushed history is the anchor: every commit may only add lines. With the
     * final log's chain intact, a commit that deleted none means no entry ever committed
     * was removed or rewritten since.
     */
    async history(): Promise<string | undefined> {
      await mkdir(stateDir, { recursive: true });
      const release = await lockFile(work, LOCK);
      try {
        const { git, exists } = await open();
        if (!exists) return undefined;
        const log = await git.raw(['log', '--reverse', '--first-parent', '--numstat', '--format=commit %H', AUDIT_BRANCH, '--', LOG]);
        let commit = '';
        for (const line of log.split('\n')) {
          if (line.startsWith('commit ')) commit = line.slice(7);
          const [, deleted] = line.split('\t');
          if (deleted !== undefined && deleted !== '0') return `commit ${commit.slice(0, 12)} on ${AUDIT_BRANCH} removed or rewrote ${deleted} line(s) of ${LOG}`;
        }
        return undefined;
      } finally {
        await release();
      }
    },
    async read(): Promise<string> {
      await mkdir(stateDir, { recursive: true });
      const release = await lockFile(work, LOCK);
      try {
        const { exists } = await open();
        return exists ? text() : '';
      } finally {
        await release();
      }
    },
  };
}
