import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replace a local file so a reader (or a crash) sees the old content or the new, never half
 * of one: write a temp file beside it, fsync, rename over it, fsync the directory. An
 * existing file keeps its mode.
 */
export async function writeFileAtomic(path: string, content: string, newFileMode: number): Promise<void> {
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => newFileMode,
  );
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.chmod(mode);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  const d = await open(dir, 'r');
  await d.sync().finally(() => d.close());
}
