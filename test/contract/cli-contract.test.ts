import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('commands, flags and --json output schemas match the committed contract', () => {
  const script = fileURLToPath(new URL('../../scripts/cli-contract.mjs', import.meta.url));
  let out = '';
  let code = 0;
  try {
    execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    code = e.status;
    out = e.stderr.toString();
  }
  expect(out).toBe('');
  expect(code).toBe(0);
});
