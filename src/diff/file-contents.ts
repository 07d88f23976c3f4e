import type { DesiredAgent } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { renderDotenv } from '../openclaw/dotenv.js';
import { effectiveFiles } from './effective.js';

/** The exact bytes apply writes for an agent: what a saved plan's digest is taken over. */
export interface FileContents {
  config: string;
  /** Holds secret values: only host writers and keyed digests ever see it. */
  env: string;
}

export function fileContents(desired: DesiredAgent, observed: ObservedAgent): FileContents {
  const files = effectiveFiles(desired, observed);
  const values = Object.fromEntries(Object.entries(files.env).map(([k, v]) => [k, v.reveal()]));
  return { config: `${JSON.stringify(files.config, null, 2)}\n`, env: renderDotenv(values) };
}
