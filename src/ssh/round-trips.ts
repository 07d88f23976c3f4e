import { createPrivateKey, type KeyObject, sign as signWith } from 'node:crypto';
import type { Client, ParsedKey } from 'ssh2';

type Sign = (data: Buffer, done: (signature: Buffer) => void) => void;

/** The two parts of ssh2 1.17's client (pinned in package.json) that `trimRoundTrips` reaches. */
interface Ssh2Protocol {
  _handlers: { GLOBAL_REQUEST?: (p: unknown, name: string, wantReply: boolean, data: unknown) => void };
  authPK(username: string, key: ParsedKey, keyAlgo?: string, sign?: Sign): void;
  requestSuccess(): void;
}

/** The hash an RSA signature algorithm names; other key types have theirs fixed. */
const RSA_HASH: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };

/** Ed25519 keys as OpenSSL keys, by PEM: made once per run, not decoded again for every host. */
const ed25519Keys = new Map<string, KeyObject>();

/**
 * The signature ssh2's `key.sign` makes. An Ed25519 signature is deterministic: the same bytes
 * from a key decoded once, where ssh2 decodes its PEM text at every signature.
 */
function signature(key: ParsedKey, data: Buffer, keyAlgo: string | undefined): Buffer | Error {
  if (key.type !== 'ssh-ed25519') return key.sign(data, keyAlgo ? RSA_HASH[keyAlgo] : undefined);
  const pem = key.getPrivatePEM();
  let decoded = ed25519Keys.get(pem);
  if (!decoded) ed25519Keys.set(pem, (decoded = createPrivateKey(pem)));
  return signWith(null, data, decoded);
}

/**
 * Call right after `client.connect(...)` (ssh2 makes its protocol there). Cuts what each
 * connection costs beyond the handshake, per host, over a WAN a round trip each:
 * - publickey auth sends the signed request at once (RFC 4252 §7 allows it), without first
 *   asking whether the key would be accepted: one round trip, not two. A refused key fails
 *   as before (the server answers either request with the methods left).
 * - OpenSSH's announcement of its other host keys (hostkeys-00) is acknowledged without
 *   asking the server to prove each one: clawctl pins one key and never reads the others,
 *   and the proof costs the server a signature per key and the client a verification.
 */
export function trimRoundTrips(client: Client, withPrivateKey: boolean): void {
  const proto = (client as unknown as { _protocol?: Ssh2Protocol })._protocol;
  if (!proto) return;
  const handlers = proto._handlers;
  const globalRequest = handlers.GLOBAL_REQUEST;
  handlers.GLOBAL_REQUEST = (p, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com') return globalRequest?.(p, name, wantReply, data);
    if (wantReply) proto.requestSuccess();
  };
  if (!withPrivateKey) return; // an agent signs asynchronously: its keys are asked about first
  const authPK = proto.authPK.bind(proto);
  proto.authPK = (username, key, keyAlgo, sign) => {
    if (sign) return authPK(username, key, keyAlgo, sign);
    return authPK(username, key, keyAlgo, (data, done) => {
      const signed = signature(key, data, keyAlgo);
      if (signed instanceof Error) throw signed; // surfaces as the connection's error
      done(signed);
    });
  };
}
