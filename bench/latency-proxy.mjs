// A WAN in front of loopback sshd: a TCP proxy that holds every chunk for DELAY ms each way
// before passing it on, in order, so a round trip costs 2 × DELAY as on a real long link.
// Usage: node bench/latency-proxy.mjs DELAY_MS TARGET_PORT...
// Prints one JSON line, {"ports": [listen port per target, in order]}, once all listen.
import { createServer, connect } from 'node:net';

const [delayArg, ...targets] = process.argv.slice(2);
const delay = Number(delayArg);

/** Pass what `from` sends to `to`, each chunk DELAY ms late, order kept (equal timeouts fire in order). */
function delayed(from, to) {
  let ended = false;
  let pending = 0;
  from.on('data', (chunk) => {
    pending++;
    setTimeout(() => {
      pending--;
      if (!to.destroyed) to.write(chunk);
      if (ended && pending === 0) to.end();
    }, delay);
  });
  from.on('end', () => {
    ended = true;
    if (pending === 0) setTimeout(() => to.end(), delay);
  });
}

const ports = await Promise.all(
  targets.map(
    (target) =>
      new Promise((resolve) => {
        const server = createServer((client) => {
          client.setNoDelay(true);
          const upstream = connect({ host: '127.0.0.1', port: Number(target) });
          upstream.setNoDelay(true);
          delayed(client, upstream);
          delayed(upstream, client);
          const close = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', close);
          upstream.on('error', close);
          client.on('close', () => setTimeout(() => upstream.destroy(), delay));
          upstream.on('close', () => setTimeout(() => client.destroy(), delay));
        });
        server.listen(0, '127.0.0.1', () => resolve(server.address().port));
      }),
  ),
);
process.stdout.write(`${JSON.stringify({ ports })}\n`);
