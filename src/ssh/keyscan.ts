import { Client } from 'ssh2';
import { blobKeyType, fingerprint, pinLine } from './host-key.js';

/** One host key a server presents, as a Host manifest pins it. */
export interface ScannedKey {
  type: string;
  /** The value for spec.ssh.hostKey: `ssh-ed25519 AAAA…`. */
  hostKey: string;
  /** OpenSSH's form, as `ssh-keygen -lf` prints it: compare it with the one you know. */
  fingerprint: string;
}

/** The host key algorithms a server is asked for, one connection each, strongest first. */
const ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512'] as const;

export class KeyscanError extends Error {}

/**
 * Every host key a server offers (as ssh-keyscan does): a handshake per algorithm that stops
 * at the key, before any authentication. Nothing is trusted or stored: the person compares
 * the fingerprint with one they know and pins the key themselves.
 */
export async function keyscan(address: string, port: number, timeoutMs = 10_000): Promise<ScannedKey[]> {
  const results = await Promise.all(ALGORITHMS.map((alg) => keyFor(address, port, alg, timeoutMs)));
  const keys = results.filter((r): r is Buffer => Buffer.isBuffer(r));
  if (keys.length === 0) {
    const reason = results.find((r): r is string => typeof r === 'string') ?? 'no host key offered';
    throw new KeyscanError(`${address}:${port}: ${reason}`);
  }
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.toString('base64')) && seen.add(k.toString('base64'))).map((blob) => ({ type: blobKeyType(blob), hostKey: pinLine(blob), fingerprint: fingerprint(blob) }));
}

/** The key the server presents for one algorithm, or why there is none. */
function keyFor(address: string, port: number, algorithm: (typeof ALGORITHMS)[number], timeoutMs: number): Promise<Buffer | string> {
  return new Promise((resolve) => {
    const client = new Client();
    let key: Buffer | undefined;
    const done = (r: Buffer | string) => {
      clearTimeout(timer);
      client.end();
      resolve(r);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    client.on('error', (err: Error & { code?: string }) => done(key ?? (err.code ? `cannot connect: ${err.code}` : err.message)));
    client.on('ready', () => done(key ?? 'connected without a host key'));
    client.connect({
      host: address,
      port,
      username: 'clawctl-keyscan',
      readyTimeout: timeoutMs,
      algorithms: { serverHostKey: [algorithm] },
      // Refused on purpose: the handshake ends at the key, before any authentication.
      hostVerifier: (blob: Buffer) => {
        key = blob;
        return false;
      },
    });
  });
}
