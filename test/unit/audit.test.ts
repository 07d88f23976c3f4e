import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStore } from '../../src/audit/file-store.js';
import { gitStore } from '../../src/audit/git-store.js';
import { verifyLog } from '../../src/audit/verify.js';

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
    Array.from({ length: count }, (_, i) =>
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
    expect(verifyLog(text)).toEqual({ ok: true, entries: 60 });
    expect(new Set(text.trim().split('\n').map((l) => JSON.parse(l).target)).size).toBe(60);
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
    expect(verifyLog(text)).toEqual({ ok: true, entries: 9 });
    expect(Number(execFileSync('git', ['--git-dir', remote, 'rev-list', '--count', 'clawctl/audit'], { encoding: 'utf8' }))).toBe(9);
    expect(await gitStore(clones[0]!, join(clones[0]!, '.clawctl')).read()).toBe(text);
  });
});
