import type { DesiredAgent } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { effectiveFiles } from './effective.js';

/**
 * What apply writes for an agent, in the form a saved plan's digest commits to: the exact
 * openclaw.json, and the .env as each entry's whole keyed hash (the file is rendered from
 * those values and nothing else), so a plan made without decrypting commits to the same.
 */
export interface WriteContents {
  config: string;
  env: string;
}

export function writeContents(desired: DesiredAgent, observed: ObservedAgent): WriteContents {
  const files = effectiveFiles(desired, observed);
  const env = Object.keys(files.env)
    .sort()
    .map((name) => `${name}=${files.env[name]!.fullHash}\n`)
    .join('');
  return { config: `${JSON.stringify(files.config, null, 2)}\n`, env };
}
