import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fragmentCompiler } from '../../src/policy/fragment-cache.js';

const root = mkdtempSync(join(tmpdir(), 'clawctl-fragments-'));
process.env.XDG_CACHE_HOME = root;
const dir = join(root, 'clawctl', 'policy-schemas');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FRAGMENT = { type: 'object', required: ['model'], properties: { model: { type: 'string', pattern: '^openai/' }, site: { type: 'string', format: 'uri' } } };
const kept = () => readdirSync(dir).filter((n) => n.endsWith('.cjs'));

/** A validator read back from the cache must judge as the one ajv compiled. */
async function verdicts() {
  const c = await fragmentCompiler([FRAGMENT]);
  const v = c.compile(FRAGMENT);
  await c.flush();
  return [{ model: 'openai/gpt' }, { model: 'anthropic/x' }, {}, { model: 'openai/x', site: 'not a uri' }].map((data) =>
    v(data) ? 'ok' : v.errors?.map((e) => `${e.instancePath} ${e.keyword}`).join(', '),
  );
}

describe('policy schema fragments, compiled once', () => {
  beforeEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the compiled code, and the kept code judges as ajv did', async () => {
    const compiled = await verdicts();
    expect(compiled).toEqual(['ok', '/model pattern', ' required', '/site format']);
    expect(kept()).toHaveLength(1);
    expect(await verdicts()).toEqual(compiled);
  });

  it('keeps nothing for a fragment that does not compile', async () => {
    const bad = { type: 'object', propertiez: {} };
    const c = await fragmentCompiler([bad]);
    expect(() => c.compile(bad)).toThrow(/propertiez/);
    await c.flush();
    expect(() => kept()).toThrow(); // not even the directory
  });

  it('compiles again over kept code that does not load', async () => {
    await verdicts();
    writeFileSync(join(dir, kept()[0]!), 'this is not javascript (');
    expect(await verdicts()).toEqual(['ok', '/model pattern', ' required', '/site format']);
  });
});
