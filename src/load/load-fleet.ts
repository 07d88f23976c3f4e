import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Composer, LineCounter, Parser } from 'yaml';
import { ClawctlError, type Diagnostic } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { inexactNumbers } from './exact-numbers.js';
import { type CleanPart, cleanDocs } from './clean-docs.js';
import { parseInHalves } from './parallel-parse.js';
import { readParsed, writeParsed } from './parse-cache.js';
import { makeSourceDoc, type SourceDoc } from './source-doc.js';

export interface LoadedFleet {
  /** The fleet directory as given. */
  readonly dir: string;
  readonly docs: SourceDoc[];
  /** SHA-256 over every file under the fleet directory: a saved plan is bound to it. */
  readonly contentHash: string;
  /** Each file's SHA-256 by its path under the fleet directory, so a stale plan can name what changed. */
  readonly files: Record<string, string>;
}

const MANIFEST = /\.ya?ml$/;
/** SOPS files: secrets that manifests reference. */
const SOPS_FILE = /\.sops\.ya?ml$/;
/** Files under these folders are data (encrypted secrets), not manifests. */
const DATA_DIRS = new Set(['secrets']);

/**
 * Read every *.yaml / *.yml under the fleet directory, every document of each, with source
 * positions. Syntax errors and integers too large to keep exactly, from all files, are
 * collected and thrown together.
 */
export async function loadFleet(dir: string, cwd = process.cwd()): Promise<LoadedFleet> {
  const files = await listFiles(dir).catch((err: NodeJS.ErrnoException) => {
    throw new ClawctlError(`cannot read fleet directory ${dir}: ${err.code ?? err.message}`, [], 1);
  });
  const docs: SourceDoc[] = [];
  const problems: Diagnostic[] = [];
  const hashes: Record<string, string> = {};
  for (const path of files) {
    const text = await readFile(path, 'utf8');
    const shown = relative(cwd, path) || path;
    const rel = relative(dir, path);
    const hash = sha256(text);
    hashes[rel] = hash;
    // Encrypted secrets are bound to the plan like every file, and are data, not manifests.
    if (!MANIFEST.test(path) || SOPS_FILE.test(path) || DATA_DIRS.has(rel.split(/[\\/]/)[0] ?? '')) continue;
    const clean = (await readParsed(hash, text.length)) ?? (await parseClean(hash, text));
    if (clean) {
      const lines = new LineCounter();
      for (const start of clean.lineStarts) lines.addNewLine(start);
      for (const doc of clean.docs) docs.push(makeSourceDoc(shown, text, doc.range, doc.data, lines));
      continue;
    }
    problems.push(...fileProblems(text, shown));
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} error(s) reading ${dir}`);
  if (docs.length === 0) {
    throw new ClawctlError(`no manifests found under ${dir}`, [{ message: `no *.yaml or *.yml documents under ${dir}`, hint: 'point --fleet at your fleet directory, or run `clawctl init`' }]);
  }
  const contentHash = sha256(
    Object.entries(hashes)
      .map(([rel, h]) => `${rel}\0${h}`)
      .join('\n'),
  );
  return { dir, docs, contentHash, files: hashes };
}

/** A clean file's documents, parsed now (in halves at once when large) and kept for the next run. */
async function parseClean(hash: string, text: string): Promise<CleanPart | undefined> {
  const part = (await parseInHalves(text)) ?? cleanDocs(text, 0);
  if (part) await writeParsed(hash, text.length, part);
  return part;
}

/** Every YAML error and inexact number of a file that is not clean, where each stands. */
function fileProblems(text: string, shown: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const lines = new LineCounter();
  // Documents one at a time (parseAllDocuments would hold every tree of the file at once).
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text), true, text.length)) {
    for (const err of doc.errors) {
      const { line, col } = lines.linePos(err.pos[0]);
      problems.push({ pos: { file: shown, line, col }, message: `YAML syntax: ${firstLine(err.message)}`, hint: yamlHint(err.code) });
    }
    if (doc.errors.length === 0 && doc.contents !== null) problems.push(...inexactNumbers(doc, text, shown, lines));
  }
  return problems;
}

/** What usually causes each of the yaml parser's error codes, in the words of someone fixing it. */
function yamlHint(code: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'keys of one mapping line up in one column, and their values are indented under them (spaces, never tabs)';
    case 'DUPLICATE_KEY':
      return 'a key may appear once per mapping: merge the two, or delete one';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a line indented deeper than the key before it, or a value holding ": " without quotes (write "a: b")';
    case 'TAB_AS_INDENT':
      return 'indent with spaces: YAML does not accept tabs';
    default:
      return 'quote values that hold ": ", " #", or start with *, &, !, @, `, %, {, [; check the indentation of the line and the one before it';
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
