import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStore } from '../../src/audit/file-store.js';
import { gitStore } from '../../src/audit/git-store.js';
import { verifyLog, verifyStore } from '../../src/audit/verify.js';
import { auditLog } from '../../src/audit/audit-log.js';
import { entryHash, GENESIS, type AuditEntry } from '../../src/audit/entry.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'clawctl-audit-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const dist = (p: string) => new URL(`../../dist/${p}`, import.meta.url).href;

/** Appends from separate OS processes, as parallel applies and CI jobs would. */
function appenders(script: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script.replaceAll('WORKER', String(i))], { stdio: ['ignore', 'inherit', 'inherit'] });
          child.on('close', (code) => resolve(code ?? 1));
        }),
    ),
  );
}

describe('audit log', () => {
  it('loses no entry and breaks no chain when processes append at once', async () => {
    const dir = tmp();
    const codes = await appenders(
      `const { fileStore } = await import(${JSON.stringify(dist('audit/file-store.js'))});
       const s = fileStore(${JSON.stringify(dir)});
       for (let n = 0; n < 10; n++) await s.append([{ action: 'agent.apply', target: 'w' + WORKER + '-' + n, result: 'ok' }], 'user:test');`,
      6,
    );
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const text = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(verifyLog(text)).toMatchObject({ ok: true, entries: 60 });
    expect(
      new Set(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).target),
      ).size,
    ).toBe(60);
  });

  it('names the first edited, deleted, inserted or reordered entry', async () => {
    const dir = tmp();
    const store = fileStore(dir);
    for (let i = 1; i <= 5; i++) await store.append([{ action: 'apply', target: `fleet-${i}`, result: 'applied' }], 'user:test');
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    const check = (ls: string[]) => verifyLog(`${ls.join('\n')}\n`).broken;
    expect(check(lines)).toBeUndefined();
    expect(check(lines.map((l, i) => (i === 2 ? l.replace('"applied"', '"failed"') : l)))).toMatchObject({ line: 3, seq: 3, reason: expect.stringContaining('edited') });
    expect(check(lines.filter((_, i) => i !== 1))).toMatchObject({ line: 2, seq: 3, reason: expect.stringContaining('deleted') });
    expect(check([lines[0]!, lines[0]!, ...lines.slice(1)])).toMatchObject({ line: 2, seq: 1 });
    expect(check([lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)])).toMatchObject({ line: 2, seq: 3 });
    expect(check(lines.slice(1))).toMatchObject({ line: 1, seq: 2 });
    // A torn last line (crash mid-append): reported, and the next append continues the chain.
    writeFileSync(join(dir, 'audit.jsonl'), `${lines.join('\n')}\n{"v":1,"se`);
    await store.append([{ action: 'apply', target: 'after-crash', result: 'applied' }], 'user:test');
    expect(verifyLog(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).broken).toMatchObject({ line: 6, reason: expect.stringContaining('torn') });
  });

  it('--audit git: appends from parallel processes land as commits on clawctl/audit, fast-forward only', async () => {
    const remote = tmp();
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const clones = [tmp(), tmp(), tmp()];
    for (const c of clones) {
      execFileSync('git', ['init', '-q', c]);
      execFileSync('git', ['-C', c, 'remote', 'add', 'origin', remote]);
    }
    const codes = await Promise.all(
      clones.map((c, i) =>
        appenders(
          `const { gitStore } = await import(${JSON.stringify(dist('audit/git-store.js'))});
           const s = gitStore(${JSON.stringify(c)}, ${JSON.stringify(join(c, '.clawctl'))});
           for (let n = 0; n < 3; n++) await s.append([{ action: 'apply', target: 'runner${i}-' + n, result: 'applied' }], 'ci:run-${i}');`,
          1,
        ),
      ),
    );
    expect(codes.flat()).toEqual([0, 0, 0]);
    const text = execFileSync('git', ['--git-dir', remote, 'show', 'clawctl/audit:audit.jsonl'], { encoding: 'utf8' });
    expect(verifyLog(text)).toMatchObject({ ok: true, entries: 9 });
    expect(Number(execFileSync('git', ['--git-dir', remote, 'rev-list', '--count', 'clawctl/audit'], { encoding: 'utf8' }))).toBe(9);
    expect(await gitStore(clones[0]!, join(clones[0]!, '.clawctl')).read()).toBe(text);
  });

  describe('the kept head: a log cut short, emptied, deleted or rewritten does not verify', () => {
    /** A fleet repo whose audit log clawctl writes, and this machine's head store, both fresh. */
    const setup = async () => {
      const repo = tmp();
      execFileSync('git', ['init', '-q', repo]);
      process.env.XDG_STATE_HOME = join(repo, 'state');
      const log = auditLog(join(repo, 'fleet'), 'file');
      for (let i = 1; i <= 5; i++) await log.record([{ action: 'apply', target: `fleet-${i}`, result: 'applied' }]);
      const path = join(repo, '.clawctl', 'audit.jsonl');
      return { store: fileStore(join(repo, '.clawctl')), path, lines: readFileSync(path, 'utf8').trim().split('\n') };
    };
    afterAll(() => delete process.env.XDG_STATE_HOME);

    it('verifies the log as written, and names what is missing when its tail is cut', async () => {
      const { store, path, lines } = await setup();
      expect(await verifyStore(store)).toMatchObject({ ok: true, entries: 5 });
      writeFileSync(path, `${lines.slice(0, 3).join('\n')}\n`);
      expect((await verifyStore(store)).broken?.reason).toMatch(/^the log ends at entry 3, but this machine saw entry 5 on .*: entries were cut from its end/);
    });

    it('refuses an emptied or deleted log', async () => {
      const { store, path } = await setup();
      writeFileSync(path, '');
      expect((await verifyStore(store)).broken?.reason).toMatch(/the log ends at entry 0, but this machine saw entry 5/);
      rmSync(path);
      expect((await verifyStore(store)).ok).toBe(false);
    });

    it('refuses a log rewritten with every hash recomputed', async () => {
      const { store, path, lines } = await setup();
      let prev = GENESIS;
      const forged = lines.map((l) => {
        const { hash: _old, ...body } = JSON.parse(l) as AuditEntry;
        const e = { ...body, result: 'failed', prev };
        prev = entryHash(e);
        return JSON.stringify({ ...e, hash: prev });
      });
      writeFileSync(path, `${forged.join('\n')}\n`);
      expect(verifyLog(readFileSync(path, 'utf8')).ok).toBe(true); // the chain alone cannot tell
      expect((await verifyStore(store)).broken).toMatchObject({ seq: 5, reason: expect.stringContaining('is not the one this machine saw') });
    });

    it('--audit git: a pushed commit that removes entries, and a force-push that cuts the branch, are named', async () => {
      const remote = tmp();
      execFileSync('git', ['init', '-q', '--bare', remote]);
      const repo = tmp();
      execFileSync('git', ['init', '-q', repo]);
      execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', remote]);
      process.env.XDG_STATE_HOME = join(repo, 'state');
      const log = auditLog(join(repo, 'fleet'), 'git');
      for (let i = 1; i <= 3; i++) await log.record([{ action: 'apply', target: `fleet-${i}`, result: 'applied' }]);
      const store = gitStore(repo, join(repo, '.clawctl'));
      expect(await verifyStore(store)).toMatchObject({ ok: true, entries: 3 });

      // Someone with push access replaces the branch with its first entry only (a force-push).
      const other = tmp();
      execFileSync('git', ['clone', '-q', '--branch', 'clawctl/audit', remote, other]);
      const first = readFileSync(join(other, 'audit.jsonl'), 'utf8').split('\n')[0];
      execFileSync('git', ['-C', other, 'reset', '-q', '--hard', 'HEAD~2']);
      expect(readFileSync(join(other, 'audit.jsonl'), 'utf8').trim()).toBe(first);
      execFileSync('git', ['-C', other, 'push', '-q', '--force', 'origin', 'clawctl/audit']);
      expect((await verifyStore(store)).broken?.reason).toMatch(/the log ends at entry 1, but this machine saw entry 3/);

      // A machine with no head of its own still sees a pushed commit that removed lines.
      process.env.XDG_STATE_HOME = join(other, 'state');
      execFileSync('git', ['-C', other, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-q', '--allow-empty', '-m', 'noop']);
      writeFileSync(join(other, 'audit.jsonl'), '');
      execFileSync('git', ['-C', other, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-q', '-am', 'cut']);
      execFileSync('git', ['-C', other, 'push', '-q', 'origin', 'clawctl/audit']);
      const fresh = tmp();
      execFileSync('git', ['init', '-q', fresh]);
      execFileSync('git', ['-C', fresh, 'remote', 'add', 'origin', remote]);
      expect((await verifyStore(gitStore(fresh, join(fresh, '.clawctl')))).broken?.reason).toMatch(/^commit [0-9a-f]{12} on clawctl\/audit removed or rewrote 1 line\(s\) of audit.jsonl$/);
    });
  });
});
