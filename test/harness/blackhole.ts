import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server that accepts and never answers: an API a channel cannot reach (a firewall
 * that drops replies, a wedged proxy). A request to it hangs until its client gives up.
 */
export interface BlackHole {
  port: number;
  /** Connections open now: a client that holds one is waiting on it. */
  open(): number;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    // Read (and drop) what comes: only a socket that reads sees its client go away.
    s.resume();
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
