import { createHash } from 'node:crypto';

/** A public host key as pinned in a Host manifest: `ssh-ed25519 AAAA… [comment]`. */
export interface PinnedKey {
  type: string;
  blob: Buffer;
}

export function parsePinnedKey(line: string): PinnedKey {
  const [type, b64] = line.trim().split(/\s+/);
  return { type: type!, blob: Buffer.from(b64 ?? '', 'base64') };
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint form, as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The line a user pastes into spec.ssh.hostKey to pin this key. */
export function pinLine(blob: Buffer): string {
  return `${blobKeyType(blob)} ${blob.toString('base64')}`;
}
