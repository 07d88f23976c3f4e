import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SecretRef } from '../validate/manifests.js';

/**
 * Where a secret lives: a SOPS file in the fleet directory, or an AWS Secrets Manager
 * secret. Written `secrets/x.sops.yaml` (relative to the fleet directory) or `aws:<id>`.
 */
export type SecretLocation = { kind: 'sops'; file: string } | { kind: 'aws'; id: string };

export function parseLocation(text: string): SecretLocation {
  return text.startsWith('aws:') ? { kind: 'aws', id: text.slice(4) } : { kind: 'sops', file: text };
}

export function locationOfRef(ref: SecretRef): SecretLocation {
  return 'aws' in ref ? { kind: 'aws', id: ref.aws } : { kind: 'sops', file: ref.sops };
}

export function formatLocation(loc: SecretLocation): string {
  return loc.kind === 'aws' ? `aws:${loc.id}` : loc.file;
}

/** A key inside a location: a dotted path in a SOPS file, a JSON key of an AWS secret. */
export function keyPath(loc: SecretLocation, key: string): string[] {
  return loc.kind === 'sops' ? key.split('.') : [key];
}

/**
 * The SOPS file's absolute path, or why it is not acceptable: a secretRef may only name a
 * file inside the fleet directory (symlinks resolved), so a manifest can't make clawctl read
 * and ship some other file of the machine it runs on.
 */
export async function sopsPath(fleetDir: string, file: string): Promise<{ path: string } | { error: string }> {
  if (isAbsolute(file)) return { error: `${file} is an absolute path; a SOPS file is named relative to the fleet directory` };
  if (!/\.sops\.ya?ml$/.test(file)) return { error: `${file} is not named *.sops.yaml` };
  const root = await realpath(fleetDir).catch(() => resolve(fleetDir));
  const path = resolve(root, file);
  const real = await realpath(path).catch(() => path);
  for (const p of [path, real]) {
    const rel = relative(root, p);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { error: `${file} is outside the fleet directory ${fleetDir}` };
  }
  return { path };
}
