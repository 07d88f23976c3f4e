import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * clawctl's side of the sealing ssm-runner.ts does on the host: ECIES over X25519, HKDF-SHA256,
 * AES-256-GCM, the job id as AAD. Blob layout: ephemeral public key (32) | iv (12) | tag (16) | body.
 * What SSM keeps in its command history is only ever these blobs and public keys.
 */
const INFO = 'clawctl-ssm-v1';
export type Purpose = 'stdin' | 'output';

export interface RunKey {
  privateKey: KeyObject;
  /** The raw 32-byte public key, base64: it goes into every command of the run. */
  publicRaw: string;
}

/** A key pair for one run: its private half never leaves this process. */
export function newRunKey(): RunKey {
  const pair = generateKeyPairSync('x25519');
  return { privateKey: pair.privateKey, publicRaw: rawPublic(pair.publicKey).toString('base64') };
}

const rawPublic = (key: KeyObject) => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
const publicFromRaw = (raw: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });

function keyFor(priv: KeyObject, peerRaw: Buffer, salt: Buffer, purpose: Purpose): Buffer {
  const shared = diffieHellman({ privateKey: priv, publicKey: publicFromRaw(peerRaw) });
  return Buffer.from(hkdfSync('sha256', shared, salt, `${INFO} ${purpose}`, 32));
}

/** Seal to a host's one-use inbox key (stdin). */
export function seal(plain: Buffer, recipientRaw: Buffer, purpose: Purpose, aad: string): Buffer {
  const eph = generateKeyPairSync('x25519');
  const ephRaw = rawPublic(eph.publicKey);
  const key = keyFor(eph.privateKey, recipientRaw, Buffer.concat([ephRaw, recipientRaw]), purpose);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([ephRaw, iv, c.getAuthTag(), body]);
}

/** Open what the host sealed to this run's key; throws if it was altered or is for another job. */
export function open(blob: Buffer, run: RunKey, purpose: Purpose, aad: string): Buffer {
  const ephRaw = blob.subarray(0, 32);
  const key = keyFor(run.privateKey, ephRaw, Buffer.concat([ephRaw, Buffer.from(run.publicRaw, 'base64')]), purpose);
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(32, 44));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(blob.subarray(44, 60));
  return Buffer.concat([d.update(blob.subarray(60)), d.final()]);
}
