import type { ExecInput, ExecResult, HostConnection } from '../connection/connection.js';

export interface BoundedResult extends ExecResult {
  /** The host had not answered by the deadline; the command was cut off (code 124, as `timeout`). */
  timedOut: boolean;
}

/**
 * Run argv on the host, giving up after `seconds` on this side: a host that stops answering
 * (or a script that outlives its own bound) cannot hold an apply or a restart past it. The
 * streaming form of exec is what lets the command be ended; its output is gathered here.
 */
export async function execWithin(conn: HostConnection, argv: readonly string[], seconds: number, stdin?: ExecInput): Promise<BoundedResult> {
  const chunks: Buffer[] = [];
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, seconds * 1000);
  try {
    const res = await conn.exec(argv, stdin, { onStdout: (b) => chunks.push(b), signal: abort.signal });
    const bytes = Buffer.concat(chunks);
    return { ...res, code: timedOut ? 124 : res.code, stdout: bytes.toString('utf8'), bytes, timedOut };
  } finally {
    clearTimeout(timer);
  }
}
