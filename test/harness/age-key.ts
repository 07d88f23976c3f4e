import { readFileSync } from 'node:fs';

/** The age identity a key file holds (the file `clawctl init` made at run time): its first line that is not a comment, as sops reads it. */
export function ageIdentityIn(keyFile: string): string {
  const identity = readFileSync(keyFile, 'utf8')
    .split('\n')
    .find((line) => line.trim() !== '' && !line.startsWith('#'));
  if (!identity) throw new Error(`${keyFile} holds no age identity`);
  return identity.trim();
}
