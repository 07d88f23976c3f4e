import { spawn } from 'node:child_process';
import { CommandTimeoutError, feed, limit, programName, type Deadline, type ExecInput, type ExecResult, type HostConnection, type StreamOptions } from './connection.js';

/**
 * Manages OpenClaw installations under a directory of this machine exactly as SSH manages a
 * remote home (Ansible's `connection: local`): the same scripts run with HOME set to it.
 * Nothing is created by connecting, so a plan writes nothing; apply creates state dirs.
 */
export async function openLocal(host: string, home: string, commandTimeoutSeconds: number): Promise<HostConnection> {
  return {
    describe: `local:${home}`,
    exec: (argv, stdin, streaming, deadline?: Deadline) => run(argv, home, stdin, streaming, { host, seconds: limit(deadline, commandTimeoutSeconds, streaming) }),
    close: () => undefined,
  };
}

function run(argv: readonly string[], home: string, stdin: ExecInput | undefined, streaming: StreamOptions | undefined, deadline: { host: string; seconds: number | undefined }): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a deadline ends the script and whatever it started.
      detached: true,
    });
    let timedOut = false;
    const { seconds } = deadline;
    const timer =
      seconds === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, seconds * 1000);
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
      clearTimeout(timer);
      if (timedOut) return reject(new CommandTimeoutError(deadline.host, seconds!, programName(argv)));
      const bytes = Buffer.concat(out);
      resolve({ code: aborted ? 0 : (code ?? (signal ? 128 : 1)), stdout: bytes.toString('utf8'), bytes, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined); // the program may exit before reading stdin
    feed(stdin, child.stdin);
  });
}
