import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const cacheHome = mkdtempSync(join(tmpdir(), 'clawctl-code-cache-'));
const dir = join(cacheHome, 'clawctl', 'code-cache');
const version = () => promisify(execFile)(process.execPath, [RUN, '--version'], { env: { ...process.env, XDG_CACHE_HOME: cacheHome } });

/** bin/bundle-loader.js: the code cache is an optimisation, so no state of it may break a run. */
describe('the bundle code cache', () => {
  afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

  it('is written by a first run and used by the next', async () => {
    expect((await version()).stdout).toMatch(/^clawctl\//);
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^[0-9a-f]{16}-root\.bin$/);
    const before = readFileSync(join(dir, file!));
    await version();
    expect(readFileSync(join(dir, file!)).equals(before)).toBe(true); // accepted: not written again
  });

  it.each([
    ['a flipped byte', (b: Buffer) => Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0xff : x)))],
    ['a truncated file', (b: Buffer) => b.subarray(0, 100)],
    ['junk', () => Buffer.from('not a cache')],
  ])('survives %s (V8 would abort on it) and writes a good one again', async (_, damage) => {
    const file = join(dir, readdirSync(dir)[0]!);
    const good = readFileSync(file);
    writeFileSync(file, damage(good));
    expect((await version()).stdout).toMatch(/^clawctl\//);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
    expect((await version()).stdout).toMatch(/^clawctl\//);
  });
});
