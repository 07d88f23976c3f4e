import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** `~/.cache/clawctl` (XDG_CACHE_HOME honoured): what clawctl keeps between runs on this machine. */
export function clawctlCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'clawctl');
}

/**
 * Put a file in the cache whole or not at all: a new file of our own (wx: never through a planted
 * link), renamed into place. Quietly does nothing when the cache is not writable: a cache that
 * cannot be kept only costs the next run its time.
 */
export async function keepInCache(file: string, data: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch {
    // see above
  }
}
