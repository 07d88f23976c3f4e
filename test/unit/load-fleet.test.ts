import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleet } from '../../src/load/load-fleet.js';
import { ClawctlError, formatPos } from '../../src/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'clawctl-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fleet directory holding these files; loadFleet's answer, or the diagnostics it threw as `file:line:col: message`. */
async function load(files: Record<string, string>) {
  const cwd = join(root, `f${n++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(cwd, 'fleet', path)), { recursive: true });
    writeFileSync(join(cwd, 'fleet', path), text);
  }
  try {
    return { loaded: await loadFleet(join(cwd, 'fleet'), cwd), errors: [] };
  } catch (err) {
    if (!(err instanceof ClawctlError)) throw err;
    return { errors: err.diagnostics.map((d) => `${d.pos ? formatPos(d.pos) : ''}: ${d.message}`), hints: err.diagnostics.map((d) => d.hint) };
  }
}

describe('integers too large to keep exactly', () => {
  const cases = JSON.parse(readFileSync(new URL('../fixtures/load/exact-numbers.json', import.meta.url), 'utf8')) as {
    case: string;
    lines: string[];
    errors: string[];
    data?: Record<string, unknown>;
  }[];

  it.each(cases)('$case', async ({ lines, errors, data }) => {
    const res = await load({ 'x.yaml': `${lines.join('\n')}\n` });
    expect(res.errors).toEqual(errors.map((e) => `fleet/x.yaml:${e}`));
    if (data) expect(res.loaded?.docs[0]?.data).toMatchObject(data);
  });

  it('reports every one in the fleet in one run, beside syntax errors, each with a hint', async () => {
    const res = await load({
      'a.yaml': 'a: 1\n---\nb: 987654321098765432\n',
      'b/c.yaml': 'c: [oops\n',
      'd.yaml': 'guilds: {111111111111111111: {}}\n',
    });
    expect(res.errors).toEqual([
      'fleet/a.yaml:3:4: 987654321098765432 is too large to keep exactly; quote it: "987654321098765432"',
      expect.stringMatching(/^fleet\/b\/c\.yaml:2:1: YAML syntax:/),
      'fleet/d.yaml:1:10: 111111111111111111 is too large to keep exactly; quote it: "111111111111111111"',
    ]);
    expect(res.hints?.[0]).toContain('9007199254740991');
  });
});

describe('source positions', () => {
  it('finds keys YAML reads as numbers, and sequence items by a string index', async () => {
    const res = await load({ 'x.yaml': 'spec:\n  guilds:\n    123:\n      name: x\n  list:\n    - a\n    - b\n' });
    const doc = res.loaded!.docs[0]!;
    expect(doc.data).toEqual({ spec: { guilds: { '123': { name: 'x' } }, list: ['a', 'b'] } });
    expect(doc.locate(['spec', 'guilds', '123', 'name'])).toEqual({ file: 'fleet/x.yaml', line: 4, col: 13 });
    expect(doc.locate(['spec', 'guilds', '123'], { key: true })).toEqual({ file: 'fleet/x.yaml', line: 3, col: 5 });
    expect(doc.locate(['spec', 'list', 1])).toEqual({ file: 'fleet/x.yaml', line: 7, col: 7 });
    expect(doc.locate(['spec', 'list', '1'])).toEqual({ file: 'fleet/x.yaml', line: 7, col: 7 });
    expect(doc.locate(['spec', 'missing', 'deeper'])).toEqual({ file: 'fleet/x.yaml', line: 2, col: 3 });
  });
});
