import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ansibleAvailable } from '../../bench/ansible.js';

// The benchmark's only test: that it runs, at a small N, every comparison included. Its
// figures are never asserted. Ansible is part of what it measures, so without it the
// benchmark is incomplete and this test fails rather than passing on a report that says
// "not measured" (CI installs it: .ci/run).
// The upgrade section streams OpenClaw to its hosts (made once into the cache): minutes, not seconds.
it('npm run bench runs end to end on a small lab and writes every section', { timeout: 15 * 60_000 }, () => {
  expect(ansibleAvailable(), 'ansible-playbook is not installed (apt-get install ansible): the benchmark compares clawctl against it').toBe(true);
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'clawctl-bench-test-'));
  try {
    const out = join(dir, 'RESULTS.md');
    execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'bench', 'run.ts'), '--quick', '--out', out], { cwd: root, stdio: 'pipe', timeout: 14 * 60_000 });
    const text = readFileSync(out, 'utf8');
    for (const section of [
      '## Goals',
      '## Plan and apply over SSH',
      '## Against Ansible',
      '## CPU time per host',
      '## Over a WAN',
      '## Start-up',
      '## Scale',
      '## An OpenClaw upgrade in canary waves',
    ])
      expect(text).toContain(section);
    expect(text).toMatch(/^\| 3 \| 2026\.9\.5 → 2026\.9\.6 \| canary \(1 host\) → rest \| [\d.]+ s \| \d+ MB \|$/m);
    expect(text).toMatch(/\| 3 × 1 \| [\d.]+ s \| [\d.]+ s \|/);
    // Ansible was measured: its version line, a row of the comparison, its goal.
    const ansible = text.slice(text.indexOf('## Against Ansible'), text.indexOf('## Start-up'));
    expect(ansible).not.toContain('not installed');
    expect(ansible).toMatch(/^ansible-playbook .*: a playbook that copies both files per host/m);
    expect(ansible).toMatch(/^\| 3 × 1 \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+× \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|$/m);
    expect(text).toMatch(/\| plan ≥ 30 × faster than Ansible's check mode at N = 3 \|/);
    expect(text).toMatch(/^\| 3 × 1 \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+× \| [\d.]+ ms \|$/m); // CPU per host
    expect(text).toMatch(/^\| 3 × 1 \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|$/m); // WAN, Ansible included
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
