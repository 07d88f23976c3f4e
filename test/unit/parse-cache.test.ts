import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadFleet } from '../../src/load/load-fleet.js';
import { readParsed, writeParsed } from '../../src/load/parse-cache.js';
import { ClawctlError, formatPos } from '../../src/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'clawctl-parse-cache-'));
process.env.XDG_CACHE_HOME = join(root, 'cache');
const parsedDir = join(root, 'cache', 'clawctl', 'parsed');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FLEET = 'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata:\n  name: h1\nspec:\n  local: {}\n---\nkind: Agent\nmetadata: {name: a, labels: {n: "1"}}\nspec:\n  host: h1\n  port: 18789\n';

function fleetDir(text: string): string {
  const dir = join(root, `f${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fleet.yaml'), text);
  return dir;
}
const entries = () => readdirSync(parsedDir).filter((n) => n.endsWith('.json'));

/** src/load/parse-cache.ts: a file read back from the cache must be the file as parsed. */
describe('the parse cache', () => {
  beforeEach(() => rmSync(parsedDir, { recursive: true, force: true }));

  it('gives the same documents and positions from the cache as from the parse', async () => {
    const dir = fleetDir(FLEET);
    const parsed = await loadFleet(dir, root);
    expect(entries()).toHaveLength(1);
    const cached = await loadFleet(dir, root);
    expect(cached.docs.map((d) => d.data)).toEqual(parsed.docs.map((d) => d.data));
    expect(cached.docs.map((d) => formatPos(d.locate(['spec', 'port'])))).toEqual(parsed.docs.map((d) => formatPos(d.locate(['spec', 'port']))));
    expect(formatPos(cached.docs[1]!.locate(['spec', 'port']))).toMatch(/fleet\.yaml:12:9$/);
  });

  it('is not used for a file whose text changed, and keeps no file with an error', async () => {
    const dir = fleetDir(FLEET);
    await loadFleet(dir, root);
    writeFileSync(join(dir, 'fleet.yaml'), FLEET.replace('18789', '18790'));
    expect((await loadFleet(dir, root)).docs[1]!.data).toMatchObject({ spec: { port: 18790 } });
    writeFileSync(join(dir, 'fleet.yaml'), `${FLEET}bad: [\n`);
    const err = await loadFleet(dir, root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClawctlError);
    expect(entries()).toHaveLength(2); // the two clean versions only
  });

  it('keeps nothing JSON would change: .inf, .nan and -0 are parsed every time', async () => {
    const dir = fleetDir('kind: Agent\nmetadata: {name: a}\nspec: {x: .inf, y: -0}\n');
    const { docs } = await loadFleet(dir, root);
    expect(docs[0]!.data).toMatchObject({ spec: { x: Number.POSITIVE_INFINITY } });
    expect(Object.is((docs[0]!.data as { spec: { y: number } }).spec.y, -0)).toBe(true);
    expect(() => entries()).toThrow(); // no directory: nothing was written
  });

  // Each entry is summed again after the change, except where the sum itself is what is wrong.
  const summed = (e: Record<string, unknown>) => {
    const body = JSON.stringify(e);
    return `${createHash('sha256').update(body).digest('hex')}\n${body}`;
  };
  it.each([
    ['junk', () => 'not json'],
    ['another format', (e: Record<string, unknown>) => summed({ ...e, format: 99 })],
    ['another length', (e: Record<string, unknown>) => summed({ ...e, length: 5 })],
    ['a range past the text', (e: Record<string, unknown>) => summed({ ...e, docs: [{ range: [0, 1e9], data: {} }] })],
    ['a changed value under the old sum (a disk error that left valid JSON)', (_: unknown, kept: string) => kept.replace('"a":1', '"a":7')],
    ['no sum', (e: Record<string, unknown>) => JSON.stringify(e)],
    ['a cut end', (_: unknown, kept: string) => kept.slice(0, -3)],
  ])('ignores an entry with %s', async (_, tamper) => {
    await writeParsed('h', 10, { docs: [{ range: [0, 10], data: { a: 1 } }], lineStarts: [0] });
    const file = join(parsedDir, 'h.json');
    expect(await readParsed('h', 10)).toEqual({ docs: [{ range: [0, 10], data: { a: 1 } }], lineStarts: [0] });
    const kept = readFileSync(file, 'utf8');
    writeFileSync(file, tamper(JSON.parse(kept.slice(kept.indexOf('\n') + 1)) as Record<string, unknown>, kept));
    expect(readFileSync(file, 'utf8')).not.toBe(kept);
    expect(await readParsed('h', 10)).toBeUndefined();
  });
});
