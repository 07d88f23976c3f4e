import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedToolchain, type Toolchain } from '../../src/openclaw/toolchain.js';
import { PINNED_OPENCLAW } from '../setup/openclaw-toolchain.js';
import { clawctl } from '../harness/cli.js';

/**
 * Real configs nobody here wrote, judged by clawctl and by the real `openclaw config validate`
 * of the pinned version side by side: OpenClaw's own docs examples (from the installed
 * package) and public openclaw.json files (test/fixtures/openclaw-configs, SOURCES.md).
 * clawctl must accept exactly what OpenClaw accepts, with OpenClaw's warnings, and refuse
 * exactly what it refuses, in its words, at the file:line of the config.
 */
interface Case {
  name: string;
  text: string;
}
interface Verdict {
  valid: boolean;
  issues: { path: string; message: string }[];
  warnings: { path: string; message: string }[];
}
interface Diag {
  pos?: { file: string; line: number; col: number };
  message: string;
}

const run = promisify(execFile);
const DOCS = ['gateway/configuration-examples.md', 'gateway/configuration/common-tasks.md'];
const corpusDir = new URL('../fixtures/openclaw-configs/', import.meta.url);

let root: string;
let toolchain: Toolchain;
const cases: Case[] = [];
const truth = new Map<string, Verdict>();

/** The real CLI, as a user runs it, in an empty home with nothing in the environment. */
async function openclawValidate(c: Case): Promise<Verdict> {
  const dir = mkdtempSync(join(root, 'cli-'));
  const path = join(dir, 'openclaw.json');
  writeFileSync(path, c.text);
  const env = { HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', OPENCLAW_CONFIG_PATH: path, OPENCLAW_STATE_DIR: join(dir, 'state') };
  const out = await run(toolchain.node, [join(toolchain.packageDir, 'openclaw.mjs'), 'config', 'validate', '--json'], { env, timeout: 120_000 }).catch((e: { stdout: string }) => e);
  const parsed = JSON.parse(out.stdout) as { valid: boolean; issues?: Verdict['issues']; warnings?: Verdict['warnings'] };
  return { valid: parsed.valid, issues: parsed.issues ?? [], warnings: parsed.warnings ?? [] };
}

/** A fleet whose agents each take one case as their configFile, pinned to the tests' version, baseline off (policy is not under test). */
function writeFleet(dir: string, group: Case[]): void {
  mkdirSync(join(dir, 'fleet', 'configs'), { recursive: true });
  const docs = [
    `apiVersion: clawctl.dev/v1\nkind: Fleet\nmetadata: {name: corpus}\nspec: {openclaw: {version: ${PINNED_OPENCLAW}}}`,
    `apiVersion: clawctl.dev/v1\nkind: Policy\nmetadata: {name: corpus}\nspec:\n  match: {matchLabels: {corpus: "yes"}}\n  rules: []\n  disableBaseline:\n${['gateway-bind', 'gateway-auth', 'secret-literals', 'env-file-mode'].map((r) => `    - {rule: ${r}, reason: not under test}`).join('\n')}`,
  ];
  group.forEach((c, i) => {
    writeFileSync(join(dir, 'fleet', 'configs', `${c.name}.json5`), c.text);
    docs.push(`apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h${i}}\nspec: {local: {home: ../home/h${i}}, service: none}`);
    docs.push(`apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: a${i}, labels: {corpus: "yes"}}\nspec: {host: h${i}, openclaw: {configFile: configs/${c.name}.json5}}`);
  });
  writeFileSync(join(dir, 'fleet', 'fleet.yaml'), `${docs.join('\n---\n')}\n`);
}

describe("real configs: clawctl judges them exactly as OpenClaw's own config validate", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-corpus-'));
    const found = cachedToolchain(PINNED_OPENCLAW);
    if (!found) throw new Error(`OpenClaw ${PINNED_OPENCLAW} is not in clawctl's cache; the global setup fetches it`);
    toolchain = found;
    for (const doc of DOCS) {
      const md = readFileSync(join(toolchain.packageDir, 'docs', doc), 'utf8');
      [...md.matchAll(/```json5\n([\s\S]*?)```/g)].forEach((m, i) => cases.push({ name: `docs-${doc.replace(/\W+/g, '-').replace(/-md$/, '')}-${i + 1}`, text: m[1]! }));
    }
    const sources = JSON.parse(readFileSync(new URL('SOURCES.json', corpusDir), 'utf8')) as { file: string }[];
    for (const s of sources) cases.push({ name: s.file.replace(/\.json5$/, ''), text: readFileSync(new URL(s.file, corpusDir), 'utf8') });
    // Two at a time: each CLI start takes ~2 s of one core.
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(cases.slice(i, i + 2).map(async (c) => truth.set(c.name, await openclawValidate(c))));
    }
  }, 600_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('has a corpus with both verdicts in it', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => truth.get(c.name)!.valid).length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => !truth.get(c.name)!.valid).length).toBeGreaterThanOrEqual(3);
  });

  it('accepts every config OpenClaw accepts, with its warnings, and says the check ran at the pinned version', async () => {
    const accepted = cases.filter((c) => truth.get(c.name)!.valid);
    const dir = join(root, 'accepted');
    writeFleet(dir, accepted);
    const res = await clawctl(['validate', '--json', '--require-openclaw-check'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const checks = JSON.parse(res.stdout).configChecks as { agent: string; status: string; version: string; warnings: { path: string; message: string }[] }[];
    accepted.forEach((c, i) => {
      const check = checks.find((k) => k.agent === `a${i}`)!;
      expect({ name: c.name, status: check.status, version: check.version }).toEqual({ name: c.name, status: 'passed', version: PINNED_OPENCLAW });
      expect(
        check.warnings.map(({ path, message }) => ({ path, message })),
        c.name,
      ).toEqual(truth.get(c.name)!.warnings.map(({ path, message }) => ({ path, message })));
    });
  });

  it("refuses every config OpenClaw refuses, in OpenClaw's words, at the config file's line", async () => {
    const refused = cases.filter((c) => !truth.get(c.name)!.valid);
    for (const c of refused) {
      const dir = join(root, `refused-${c.name}`);
      writeFleet(dir, [c]);
      const res = await clawctl(['validate', '--json'], { cwd: dir });
      expect(res.code, `${c.name}: ${res.stdout}`).toBe(1);
      const diagnostics = (JSON.parse(res.stdout) as { error: { diagnostics: Diag[] } }).error.diagnostics;
      // Every diagnostic points into the config itself, never at the manifest that names it.
      for (const d of diagnostics) expect(d.pos?.file, `${c.name}: ${d.message}`).toBe(`fleet/configs/${c.name}.json5`);
      const issues = truth.get(c.name)!.issues;
      if (diagnostics.some((d) => /JSON5 syntax|: no such file/.test(d.message))) {
        // A file that does not parse, or an include that is not there: clawctl refuses it while
        // reading the fleet, in its own words, where OpenClaw's reader refuses it too.
        expect(issues.map((i) => i.message).join('\n'), c.name).toMatch(/JSON5|parse|include/i);
        continue;
      }
      expect(
        diagnostics.map((d) => d.message),
        c.name,
      ).toEqual(issues.map((i) => `agent a0: openclaw.json ${i.path || '(root)'}: ${i.message} (OpenClaw ${PINNED_OPENCLAW})`));
    }
  });

  it('points at the key OpenClaw names, also where it migrated agents.list to agents.entries', async () => {
    const at = async (name: string) => {
      const res = await clawctl(['validate', '--json'], { cwd: join(root, `refused-${name}`) });
      const lines = readFileSync(new URL(`${name}.json5`, corpusDir), 'utf8').split('\n');
      return (JSON.parse(res.stdout) as { error: { diagnostics: Diag[] } }).error.diagnostics.map((d) => lines[d.pos!.line - 1]!.slice(d.pos!.col - 1));
    };
    expect((await at('aa-cma-nested-bindings'))[0]).toMatch(/^"?bindings"?\s*:/);
    const retired = await at('claw-trade-retired-model');
    expect(retired.length).toBeGreaterThan(1);
    for (const text of retired) expect(text).toMatch(/^"google\/gemini-2\.0-flash"/);
  });
});
