import type { AuditSink } from '../audit/audit-log.js';
import { formatLocation } from '../secrets/location.js';
import { sshKeyUtils } from './key-utils.js';
import { openSecret, SecretStoreError } from '../secrets/store.js';
import { fingerprint, parsePinnedKey } from './host-key.js';
import { ClawctlError } from '../util/errors.js';

export interface HostKeygenResult {
  host: string;
  /** The public half, to pin as spec.provider.ec2.hostKey. */
  hostKey: string;
  fingerprint: string;
  /** Where the private half went, as spec.provider.ec2.hostKeySecret says it. */
  secret: { sops: string; key: string };
  /** created, or kept: a key already there is never replaced without --force. */
  action: 'created' | 'kept';
}

/**
 * A host key for an EC2 Host that does not exist yet: an ed25519 pair made here, its private
 * half written to the fleet's SOPS file (encrypted for .sops.yaml's recipients; no age key
 * needed), its public half printed to pin. Nothing is trusted on first use: the instance gets
 * this key in its user data, and clawctl accepts no other.
 */
export async function hostKeygen(fleetDir: string, host: string, file: string, opts: { force: boolean; audit: AuditSink }): Promise<HostKeygenResult> {
  const location = { kind: 'sops', file } as const;
  const store = await openSecret(fleetDir, location, { create: true }).catch((err: unknown) => {
    if (err instanceof SecretStoreError) throw new ClawctlError(err.message, [{ message: err.message, ...(err.hint ? { hint: err.hint } : {}) }]);
    throw err;
  });
  const utils = await sshKeyUtils();
  const secret = { sops: file, key: host };
  const existing = store.get(host);
  if (existing !== undefined && !opts.force) {
    const parsed = utils.parseKey(existing);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !(key instanceof Error)) {
      const hostKey = `${key.type} ${key.getPublicSSH().toString('base64')}`;
      return { host, hostKey, fingerprint: fingerprint(parsePinnedKey(hostKey).blob), secret, action: 'kept' };
    }
  }
  const pair = utils.generateKeyPairSync('ed25519', { comment: host });
  store.set(host, pair.private);
  await store.save();
  await opts.audit.record([{ action: 'secret.write', target: `${formatLocation(location)}#${host}`, result: 'ok', details: { operation: 'hosts keygen' } }]);
  const hostKey = pair.public.trim().split(' ').slice(0, 2).join(' ');
  return { host, hostKey, fingerprint: fingerprint(parsePinnedKey(hostKey).blob), secret, action: 'created' };
}
