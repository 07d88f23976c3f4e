import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of one host's sshd, on a port of its own that the fleet pins. stall()
 * stops forwarding in both directions on every open connection and holds new ones unanswered
 * (a wedged NAT, a link that drops everything without a reset); resume() lets it all flow again.
 * Unlike startGate (test/harness/sshd.ts), it also freezes connections already open.
 */
export interface StallProxy {
  port: number;
  stalled(): boolean;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export async function startStallProxy(targetPort: () => number): Promise<StallProxy> {
  let stalled = false;
  const pairs = new Set<Pair>();
  // pipe() resumes a paused source when its destination drains: a stall unpipes instead.
  const link = (pair: Pair) => {
    pair.client.pipe(pair.upstream!);
    pair.upstream!.pipe(pair.client);
  };
  const unlink = (pair: Pair) => {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };
  const open = (pair: Pair) => {
    const upstream = connect(targetPort(), '127.0.0.1');
    pair.upstream = upstream;
    if (!stalled) link(pair);
    else upstream.pause();
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    pair.client.on('close', () => upstream.destroy());
  };
  const server: Server = createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => pairs.delete(pair));
    if (stalled) client.pause();
    else open(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    stalled: () => stalled,
    stall() {
      stalled = true;
      // Unpiped, paused sockets neither read nor get written to: both directions stop.
      for (const p of pairs) unlink(p);
    },
    resume() {
      stalled = false;
      for (const p of pairs) {
        if (p.client.destroyed) continue;
        if (!p.upstream) open(p);
        else link(p);
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
