import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/load/config-file.js';
import type { SourceDoc } from '../../src/load/source-doc.js';
import { locateConfig } from '../../src/desired/config-layers.js';
import { formatDiagnostic, formatPos } from '../../src/util/errors.js';

/** Each fixture: files under fleet/ (and beside it), the config file to load, and what comes out. */
interface Fixture {
  files: Record<string, string>;
  outside?: Record<string, string>;
  symlinks?: Record<string, string>;
  expected: { data?: unknown; problems?: string[] };
  locate?: [(string | number)[], string][];
}

const dir = new URL('../fixtures/config-files/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));
const root = mkdtempSync(join(tmpdir(), 'clawctl-config-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Where the manifest names its configFile: errors about the top file point there. */
const manifest: SourceDoc = { file: 'fleet/agent.yaml', data: {}, locate: () => ({ file: 'fleet/agent.yaml', line: 9, col: 17 }) };

describe('an agent config file with $include, as OpenClaw resolves it', () => {
  it.each(fixtures)('%s', async (name) => {
    const f = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Fixture;
    const cwd = join(root, name.replace(/\.json$/, ''), 'fleet');
    const write = (base: string, files: Record<string, string>) => {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(base, path)), { recursive: true });
        writeFileSync(join(base, path), text);
      }
    };
    write(cwd, f.files);
    write(dirname(cwd), f.outside ?? {});
    for (const [link, target] of Object.entries(f.symlinks ?? {})) symlinkSync(target, join(cwd, link));

    // Paths are shown relative to the working directory, here the fleet directory itself.
    const loaded = await loadConfigFile(join(cwd, 'agent.json5'), cwd, cwd, { doc: manifest, path: ['spec', 'openclaw', 'configFile'] });
    if (f.expected.problems) {
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.problems.map((p) => formatDiagnostic({ ...p, hint: undefined }).replace(/ fleet directory .*$/, ' fleet directory fleet'))).toEqual(f.expected.problems);
      return;
    }
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.file.data).toEqual(f.expected.data);
    for (const [path, at] of f.locate ?? []) expect(formatPos(locateConfig(loaded.file.origins, path))).toBe(at);
  });
});
