import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLAWCTL = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningClawctl {
  child: ChildProcessWithoutNullStreams;
  /** Its output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when it has exited, by itself or killed (then `signal` names the signal, and code is 1). */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Start the built clawctl as a user would, in its own process, and leave it running. */
export function startClawctl(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): RunningClawctl {
  const child = spawn(process.execPath, [CLAWCTL, ...args], {
    cwd: opts.cwd,
    env: { ...userEnv(), CI: 'true', NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
  child.stdin.on('error', () => undefined); // it may exit before reading stdin
  child.stdin.end(opts.stdin ?? '');
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Run the built clawctl as a user would, in its own process. */
export async function clawctl(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<CliResult> {
  const { code, stdout, stderr } = await startClawctl(args, opts).done;
  return { code, stdout, stderr };
}

/** The environment a user's shell would have: without the test runner's own variables (OpenClaw changes behaviour under VITEST). */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'));
}
