import type { ChildProcess } from 'node:child_process';
import { startGateway, stopGateway } from './openclaw.js';
import type { SshHost } from './sshd.js';

/**
 * A host user's gateway kept running the way systemd's `Restart=always` keeps one: started,
 * and started again a few seconds after every exit. A gateway that refuses its config (exit 78)
 * is tried again until the config is fixed, as on a real host. Every exit code is kept.
 */
export interface SupervisedGateway {
  exits: (number | null)[];
  /** Is a gateway process running right now? */
  running(): boolean;
  stop(): Promise<void>;
}

export function superviseGateway(host: SshHost, port: number, restartDelayMs = 3_000): SupervisedGateway {
  const exits: (number | null)[] = [];
  let current: ChildProcess | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    if (stopped) return;
    const proc = startGateway(host, port);
    current = proc;
    // Drained so a chatty gateway never blocks on a full pipe.
    proc.stdout?.resume();
    proc.stderr?.resume();
    proc.once('exit', (code) => {
      exits.push(code);
      if (current === proc) current = undefined;
      if (!stopped) timer = setTimeout(start, restartDelayMs);
    });
  };
  start();
  return {
    exits,
    running: () => current !== undefined,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (current) await stopGateway(current);
    },
  };
}
