import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * SOPS's value cipher (getsops/sops aes/cipher.go): AES-256-GCM with a 32-byte nonce, the
 * key path (`a:b:`) or, for the MAC, `lastmodified` as additional data, written as
 * `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`. sops-age decrypts the values; clawctl needs
 * this for what sops-age does not do: the MAC, and writing.
 */
const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/;
const NONCE_BYTES = 32;

export type SopsType = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'time' | 'comment';

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && ENC.test(value);
}

export function encryptedType(value: string): string | undefined {
  return ENC.exec(value)?.[4];
}

/** The key path as SOPS authenticates it: map keys only (list indices are not part of it). */
export function additionalData(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

export function encryptString(plaintext: string, dataKey: Uint8Array, aad: string): string {
  const iv = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:str]`;
}

/** Throws when the value does not authenticate under this key and additional data. */
export function decryptString(value: string, dataKey: Uint8Array, aad: string): string {
  const m = ENC.exec(value);
  if (!m) throw new Error('not a SOPS encrypted value');
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(m[2]!, 'base64'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(m[3]!, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(m[1]!, 'base64')), decipher.final()]).toString('utf8');
}
