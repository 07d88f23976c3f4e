import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~/.cache/clawctl` (XDG_CACHE_HOME honoured): what clawctl keeps between runs on this machine. */
export function clawctlCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'clawctl');
}
