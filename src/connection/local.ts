import { spawn } from 'node:child_process';
import type { ExecResult, HostConnection, StreamOptions } from './connection.js';

/**
 * Manages OpenClaw installations under a directory of this machine exactly as SSH manages a
 * remote home (Ansible's `connection: local`): the same scripts run with HOME set to it.
 * Nothing is created by connecting, so a plan writes nothing; apply creates state dirs.
 */
export async function openLocal(home: string): Promise<HostConnection> {
  return {
    describe: `local:${home}`,
    exec: (argv, stdin, streaming) => run(argv, home, stdin, streaming),
    close: () => undefined,
  };
}

function run(argv: readonly string[], home: string, stdin?: string, streaming?: StreamOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => (streaming ? streaming.onStdout(b) : out.push(b)));
    let aborted = false;
    streaming?.signal?.addEventListener('abort', () => {
      aborted = true;
      child.kill();
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(out);
      resolve({ code: aborted ? 0 : (code ?? (signal ? 128 : 1)), stdout: bytes.toString('utf8'), bytes, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined); // the program may exit before reading stdin
    child.stdin.end(stdin ?? '');
  });
}
