import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The benchmark's only test: that it runs, at a small N. Its figures are never asserted.
it('npm run bench runs end to end on a small lab and writes every section', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'clawctl-bench-test-'));
  try {
    const out = join(dir, 'RESULTS.md');
    execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'bench', 'run.ts'), '--quick', '--out', out], { cwd: root, stdio: 'pipe', timeout: 300_000 });
    const text = readFileSync(out, 'utf8');
    for (const section of ['## Goals', '## Plan and apply over SSH', '## Against Ansible', '## Start-up', '## Scale']) expect(text).toContain(section);
    expect(text).toMatch(/\| 3 × 1 \| [\d.]+ s \| [\d.]+ s \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
