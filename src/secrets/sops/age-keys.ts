import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * age keys found the way sops finds them: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, then the default
 * keys file. Written here rather than taken from sops-age's finder because clawctl must say
 * where it looked and which key came from where, and must not fail (as that finder does)
 * on a passphrase-protected ~/.ssh/id_ed25519 it never needed.
 */
export interface AgeIdentity {
  identity: string;
  recipient: string;
  /** Where it came from, for messages: never the key itself. */
  source: string;
}

const age = () => import('age-encryption');

/** $XDG_CONFIG_HOME/sops/age/keys.txt, else ~/.config/sops/age/keys.txt: where sops looks. */
export function defaultKeyFile(): string {
  const xdg = process.env.XDG_CONFIG_HOME?.trim();
  return join(xdg ? xdg : join(homedir(), '.config'), 'sops', 'age', 'keys.txt');
}

/** Where identities are looked for, in order, for error messages. */
export function keySources(): string[] {
  return ['SOPS_AGE_KEY', `SOPS_AGE_KEY_FILE${process.env.SOPS_AGE_KEY_FILE ? ` (${process.env.SOPS_AGE_KEY_FILE})` : ''}`, defaultKeyFile()];
}

export async function findAgeIdentities(): Promise<AgeIdentity[]> {
  const texts: { source: string; text: string }[] = [];
  if (process.env.SOPS_AGE_KEY) texts.push({ source: 'SOPS_AGE_KEY', text: process.env.SOPS_AGE_KEY });
  const file = process.env.SOPS_AGE_KEY_FILE;
  if (file) texts.push({ source: `SOPS_AGE_KEY_FILE (${file})`, text: await readKeyFile(file, true) });
  const fallback = defaultKeyFile();
  if (fallback !== file) texts.push({ source: fallback, text: await readKeyFile(fallback, false) });
  const { identityToRecipient } = await age();
  const out: AgeIdentity[] = [];
  for (const { source, text } of texts) {
    for (const line of text.split('\n').map((l) => l.trim())) {
      if (!line.startsWith('AGE-SECRET-KEY-1')) continue;
      out.push({ identity: line, recipient: await identityToRecipient(line), source });
    }
  }
  return out;
}

async function readKeyFile(path: string, required: boolean): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new Error(`cannot read age key file ${path}: ${(err as Error).message}`);
  }
}

/** A new X25519 identity: what `age-keygen` and `clawctl init` make; sops reads it. */
export async function generateAgeIdentity(): Promise<{ identity: string; recipient: string }> {
  const { generateX25519Identity, identityToRecipient } = await age();
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The data key wrapped for one recipient, armored, as sops stores it under `sops.age[].enc`. */
export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  const { Encrypter, armor } = await age();
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor.encode(await e.encrypt(dataKey));
}

export async function unwrapDataKey(enc: string, identity: string): Promise<Uint8Array> {
  const { Decrypter, armor } = await age();
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(armor.decode(enc));
}

export async function isAgeRecipient(recipient: string): Promise<boolean> {
  try {
    await wrapDataKey(new Uint8Array(32), recipient);
    return true;
  } catch {
    return false;
  }
}
