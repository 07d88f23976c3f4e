/**
 * Run a long-lived command with a signal that Ctrl-C (SIGINT) or SIGTERM aborts, so it can end
 * cleanly; a second one ends the process at once. The listeners stay until the command ends:
 * signal-exit (loaded with proper-lockfile at the first lock) re-raises a signal that finds
 * only its own listener, which would kill the process before it ends cleanly.
 */
export async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await fn(stop.signal);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
