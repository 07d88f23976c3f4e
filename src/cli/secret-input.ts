import { ClawctlError } from '../util/errors.js';

/**
 * A new secret value: from --from-env, else stdin (one trailing newline dropped, as `echo`
 * adds it), else typed at a terminal without echo. Never taken from the command line,
 * where it would land in shell history and `ps`.
 */
export async function readSecretValue(fromEnv: string | undefined): Promise<string> {
  if (fromEnv !== undefined) {
    const v = process.env[fromEnv];
    if (v === undefined || v === '') throw new ClawctlError(`--from-env ${fromEnv}: the variable is not set`, [{ message: `environment variable ${fromEnv} is empty or not set` }]);
    return v;
  }
  const value = process.stdin.isTTY ? await prompt() : (await readAll()).replace(/\r?\n$/, '');
  if (value === '') throw new ClawctlError('no value given', [{ message: 'the value is empty', hint: 'pipe it on stdin (`printf %s "$VALUE" | clawctl secrets set …`) or use --from-env VAR' }]);
  return value;
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function prompt(): Promise<string> {
  process.stderr.write('Value (not shown): ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new ClawctlError('cancelled')));
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    const done = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      fn();
    };
    stdin.on('data', onData);
  });
}
