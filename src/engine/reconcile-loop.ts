/** What woke a reconcile cycle. */
export type WatchTrigger = 'start' | 'change' | 'interval';

/**
 * Run `work` at start, on every change under the fleet directory (chokidar, debounced) and
 * every interval, one at a time: triggers that arrive while it runs coalesce into one more
 * run. Shared by watch and the dashboard, which differ only in what a cycle does.
 */
export async function reconcileLoop(fleetDir: string, intervalSeconds: number, signal: AbortSignal, work: (cycle: number, trigger: WatchTrigger) => Promise<void>): Promise<{ cycles: number }> {
  const { watch } = await import('chokidar');
  let pending: WatchTrigger | undefined = 'start';
  let wake: (() => void) | undefined;
  const kick = (t: WatchTrigger) => {
    pending ??= t;
    wake?.();
  };
  let debounce: NodeJS.Timeout | undefined;
  const watcher = watch(fleetDir, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 } }).on('all', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => kick('change'), 300);
  });
  const timer = setInterval(() => kick('interval'), intervalSeconds * 1000);
  const stop = () => wake?.();
  signal.addEventListener('abort', stop);
  let cycles = 0;
  try {
    while (!signal.aborted) {
      if (pending === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const trigger = pending;
      pending = undefined;
      await work(++cycles, trigger);
    }
    return { cycles };
  } finally {
    signal.removeEventListener('abort', stop);
    clearInterval(timer);
    clearTimeout(debounce);
    await watcher.close();
  }
}
