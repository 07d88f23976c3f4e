import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLAWCTL = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built clawctl as a user would, in its own process. */
export function clawctl(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAWCTL, ...args], {
      cwd: opts.cwd,
      env: { ...userEnv(), CI: 'true', NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/** The environment a user's shell would have: without the test runner's own variables (OpenClaw changes behaviour under VITEST). */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'));
}
