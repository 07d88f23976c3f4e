import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adopt, type FleetView, type NewAgent } from '../../src/import/adopt.js';
import { cronFromOpenclaw } from '../../src/import/cron-jobs.js';
import { ImportFactsError, parseImport, type FoundStateDir } from '../../src/import/parse-import.js';
import { Sensitive } from '../../src/util/sensitive.js';

/** Each fixture is a host's import.sh stdout and what it means: the parser is pure. */
const dir = new URL('../fixtures/import/', import.meta.url);
const homes = readdirSync(dir).filter((f) => f.endsWith('-home.json'));
const read = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

/** What a fixture states of a state dir: .env values are secrets, so only their names. */
function shape(d: FoundStateDir) {
  return {
    stateDir: d.stateDir,
    ...(d.profile ? { profile: d.profile } : {}),
    config: d.config?.value ?? null,
    ...(d.config?.text.includes('//') ? { configText: d.config.text } : {}),
    env: d.env && { mode: d.env.mode, names: Object.keys(d.env.entries).sort() },
    ...(d.managed ? { managed: d.managed } : {}),
    cron: d.cron,
  };
}

describe('import parser', () => {
  it.each(homes)('%s', (name) => {
    const f = read(name);
    const facts = parseImport(Buffer.from(f.stdout), 'h');
    expect({ ...(facts.openclawVersion ? { openclawVersion: facts.openclawVersion } : {}), dirs: facts.dirs.map(shape), problems: facts.problems.map((p) => p.message) }).toEqual(f.expected);
  });

  it.each([
    ['output of something else', 'hello\nblob\n', /unexpected import output/],
    ['output cut before the files', 'CLAWCTL-IMPORT 1\nfile 600 3 8180 .openclaw\n', /ended early/],
    ['files that changed while read', 'CLAWCTL-IMPORT 1\nfile 600 4096 41c0 .openclaw\nfile 600 10 8180 .openclaw/.env\nblob\nA=1\n', /files changed while they were being read/],
  ])('refuses %s, naming the host', (_name, stdout, message) => {
    expect(() => parseImport(Buffer.from(stdout), 'h')).toThrow(ImportFactsError);
    expect(() => parseImport(Buffer.from(stdout), 'h')).toThrow(message);
  });
});

describe('cron jobs from OpenClaw', () => {
  const { cases } = read('cron-jobs.json') as { cases: { name: string; job: unknown; expected?: unknown; skipped?: string }[] };
  it.each(cases)('$name', ({ job, expected, skipped }) => {
    const { jobs, skipped: left } = cronFromOpenclaw([job]);
    expect(jobs).toEqual(expected ? [expected] : []);
    expect(left.map((s) => s.reason)).toEqual(skipped ? [skipped] : []);
  });
});

describe('adopting a state dir', () => {
  const fleet: FleetView = { fleetName: 'prod', ignore: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }], agents: [{ name: 'known', host: 'h', stateDir: '.openclaw-known' }] };
  const found = (over: Partial<FoundStateDir> = {}): FoundStateDir => ({
    stateDir: '.openclaw',
    config: { text: '{gateway: {port: 1}}', value: { gateway: { port: 1 } }, mode: '600' },
    env: {
      mode: '600',
      entries: { OPENAI_API_KEY: new Sensitive('sk-adopt-abcdefghijklmnopqrstuvwxyz', 'k'), LOG_LEVEL: new Sensitive('debug', 'k'), OPENCLAW_CONFIG_READONLY: new Sensitive('1', 'k') },
    },
    cron: { jobs: [] },
    ...over,
  });

  it('puts every .env value into SOPS by default, and ignores what OpenClaw writes that the Fleet does not', () => {
    const a = adopt('h', found(), fleet, 'all') as NewAgent;
    expect(a.status).toBe('new');
    expect(a.agent).toBe('h-default');
    expect(a.secrets.map((s) => [s.file, s.key])).toEqual([
      ['secrets/h-default.sops.yaml', 'LOG_LEVEL'],
      ['secrets/h-default.sops.yaml', 'OPENAI_API_KEY'],
    ]);
    expect(a.files.map((f) => f.path)).toEqual(['agents/h-default.json5', 'agents/h-default.yaml']);
    const manifest = a.files[1]!.text;
    expect(manifest).toContain('jsonPointers:\n        - /wizard');
    expect(manifest).not.toContain('/meta');
    expect(manifest).not.toContain('OPENCLAW_CONFIG_READONLY');
    expect(manifest).not.toContain('sk-adopt');
  });

  it('with --secrets credentials keeps the rest as literals', () => {
    const a = adopt('h', found(), fleet, 'credentials') as NewAgent;
    expect(a.secrets.map((s) => s.key)).toEqual(['OPENAI_API_KEY']);
    expect(a.literals).toEqual(['LOG_LEVEL']);
  });

  it.each([
    ['a declared agent', found({ stateDir: '.openclaw-known', profile: 'known' }), { status: 'declared', agent: 'known' }],
    ["another fleet's agent", found({ managed: 'fleet=other agent=x' }), /is managed by fleet other/],
    [
      'a credential in openclaw.json',
      found({ config: { text: '', value: { channels: { telegram: { botToken: '123456789:AAbcdefghijklmnopqrstuvwxyz012345678' } } }, mode: '600' } }),
      /^host h: ~\/\.openclaw\/openclaw\.json holds what looks like credentials at channels\.telegram\.botToken \(.*\); not imported$/,
    ],
    ['an $include', found({ config: { text: '', value: { agents: { $include: './agents.json5' } }, mode: '600' } }), /uses \$include \(at agents\)/],
  ])('%s', (_name, dirFound, expected) => {
    const a = adopt('h', dirFound, fleet, 'all');
    if (expected instanceof RegExp) {
      expect(a.status).toBe('problem');
      expect(a.status === 'problem' && a.problem.message).toMatch(expected);
      expect(JSON.stringify(a)).not.toContain('123456789:AA');
    } else {
      expect(a).toMatchObject(expected);
    }
  });
});
