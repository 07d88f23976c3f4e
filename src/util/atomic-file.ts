import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replace a local file so a reader (or a crash) sees the old content or the new, never half
 * of one: write a temp file beside it, fsync, rename over it, fsync the directory. An
 * existing file keeps its mode. `durable: false` skips both fsyncs, for what may be lost (a
 * cache): they stall every write on a busy disk.
 */
export async function writeFileAtomic(path: string, content: string, newFileMode: number, opts: { durable?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
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
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  if (!durable) return;
  const d = await open(dir, 'r');
  await d.sync().finally(() => d.close());
}
