// The floor: what any SSH-based tool must pay. One ssh2 connection and one exec (`true`)
// per host, all hosts at the given concurrency, in one fresh Node process (as clawctl runs).
// Usage: node bench/floor.mjs HOSTS.json CONCURRENCY
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

const [file, concurrency] = process.argv.slice(2);
const hosts = JSON.parse(readFileSync(file, 'utf8'));
const key = readFileSync(hosts[0].identityFile);

function one(h) {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () =>
      c.exec('true', (err, stream) => {
        if (err) return reject(err);
        stream.on('close', () => {
          c.end();
          resolve();
        });
        stream.resume();
        stream.stderr.resume();
      }),
    );
    c.on('error', reject);
    const pinned = Buffer.from(h.hostKey.split(' ')[1], 'base64');
    c.connect({ host: '127.0.0.1', port: h.port, username: h.user, privateKey: key, hostVerifier: (k) => k.equals(pinned), algorithms: { serverHostKey: ['ssh-ed25519'] } });
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(Number(concurrency), hosts.length) }, async () => {
    while (next < hosts.length) await one(hosts[next++]);
  }),
);
