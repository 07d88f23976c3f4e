import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

/** `~/.cache/clawctl` (XDG_CACHE_HOME honoured): what clawctl keeps between runs on this machine. */
export function clawctlCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'clawctl');
}

/**
 * Put a file in the cache whole or not at all (writeFileAtomic: a new file of our own, never
 * through a planted link, renamed into place; without fsync: a cache may be lost). Quietly does
 * nothing when the cache is not writable: a cache that cannot be kept only costs the next run its time.
 */
export async function keepInCache(file: string, data: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, data, 0o600, { durable: false });
  } catch {
    // see above
  }
}
