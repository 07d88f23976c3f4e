import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Reading README.md as a test reads it: its fenced blocks with their `readme-test` markers, the
 * `clawctl …` command lines it names, its relative links and headings.
 *
 * The marker convention (an HTML comment on the line right above a block's opening fence; it
 * does not show on GitHub):
 *
 *   <!-- readme-test: run JOURNEY -->        run this ```sh block, as written, in JOURNEY
 *   <!-- readme-test: file JOURNEY PATH -->  write this block (placeholders substituted) to PATH in JOURNEY
 *   <!-- readme-test: merge JOURNEY PATH KEY --> merge this YAML mapping under KEY of the YAML file PATH
 *   <!-- readme-test: ci -->                 the test command: checked to be what .ci/run runs, never run
 *   <!-- readme-test: skip REASON -->        not run, for REASON (the test lists every skipped block)
 *
 * Every ```sh (or bash/shell/console) block must carry one; other blocks (YAML, sample output)
 * may. Blocks of one journey run in README order, each in a fresh bash that starts in the
 * directory the previous block ended in, as one terminal session would.
 */

export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

export type Marker =
  | { kind: 'run'; journey: string }
  | { kind: 'file'; journey: string; path: string }
  | { kind: 'merge'; journey: string; path: string; key: string }
  | { kind: 'ci' }
  | { kind: 'skip'; reason: string };

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
  /** The marker above it; a string when the comment is there but malformed. */
  marker?: Marker | string;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);
export const isShell = (b: Block) => SHELL_LANGS.has(b.lang);

function parseMarker(text: string): Marker | string {
  const words = text.trim().split(/\s+/);
  const [kind, ...rest] = words;
  if (kind === 'run' && rest.length === 1) return { kind, journey: rest[0]! };
  if (kind === 'file' && rest.length === 2) return { kind, journey: rest[0]!, path: rest[1]! };
  if (kind === 'merge' && rest.length === 3) return { kind, journey: rest[0]!, path: rest[1]!, key: rest[2]! };
  if (kind === 'ci' && rest.length === 0) return { kind };
  if (kind === 'skip' && rest.length > 0) return { kind, reason: rest.join(' ') };
  return `malformed readme-test marker: ${text.trim()}`;
}

/** Every fenced block, with the marker on the line above its opening fence. */
export function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    const above = /^\s*<!--\s*readme-test:(.*)-->\s*$/.exec(lines[i - 1] ?? '');
    blocks.push({ line: i + 1, lang: open[2]!, body: body.join('\n'), ...(above ? { marker: parseMarker(above[1]!) } : {}) });
    i = j;
  }
  return blocks;
}

/** Lines that mention readme-test but are not a marker right above a fence (a marker that would be ignored). */
export function strayMarkers(text: string): number[] {
  const lines = text.split('\n');
  return lines.flatMap((l, i) => (/^\s*<!--\s*readme-test:/.test(l) && !/^\s*```/.test(lines[i + 1] ?? '') ? [i + 1] : []));
}

// ---- commands and flags ------------------------------------------------------------------

interface SnapshotCommand {
  command: string;
  flags: { name: string; char?: string; type: string }[];
}

const SNAPSHOT = JSON.parse(readFileSync(fileURLToPath(new URL('../../command-snapshot.json', import.meta.url)), 'utf8')) as SnapshotCommand[];
const TOPICS = new Set(SNAPSHOT.filter((c) => c.command.includes(' ')).map((c) => c.command.split(' ')[0]!));
const BY_LENGTH = [...SNAPSHOT].sort((a, b) => b.command.length - a.command.length);

/** A `clawctl …` mention in the README: its line and the text after `clawctl `. */
export interface Mention {
  line: number;
  text: string;
}

/** Split at `|` outside [] and (), after unescaping the tables' `\|`. */
function topLevelAlternatives(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === '|' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((a) => a.trim());
}

/**
 * Problems with one mention: an unknown command, or a flag its command does not have. Table
 * syntax is understood: `secrets set\|get\|rotate [--no-plan]` names three commands, and
 * `[--source auto\|file]` one flag.
 */
export function mentionProblems(text: string): string[] {
  const s = text.replace(/\\\|/g, '|').trim();
  // `agents list|info|logs`: an alternative that is not itself `topic …` belongs to the topic before it.
  const candidates: string[] = [];
  let topic: string | undefined;
  for (const alt of topLevelAlternatives(s)) {
    const first = alt.split(/\s+/)[0]!;
    if (TOPICS.has(first)) topic = first;
    else if (topic && BY_LENGTH.some((c) => `${topic} ${alt}` === c.command || `${topic} ${alt}`.startsWith(`${c.command} `))) {
      candidates.push(`${topic} ${alt}`);
      continue;
    } else topic = undefined;
    candidates.push(alt);
  }
  const problems: string[] = [];
  for (const cand of candidates) {
    const words = cand.split(/\s+/).filter(Boolean);
    if (words.length === 0 || /^-/.test(words[0]!)) continue; // `clawctl --version`, or prose
    const joined = words.join(' ');
    const cmd = BY_LENGTH.find((c) => joined === c.command || joined.startsWith(`${c.command} `));
    if (!cmd) {
      if (TOPICS.has(words[0]!) && (words.length === 1 || !/^[a-z]/.test(words[1]!))) continue; // `clawctl network`: a topic
      problems.push(`unknown command: clawctl ${words.slice(0, 2).join(' ')}`);
      continue;
    }
    const rest = joined.slice(cmd.command.length);
    for (const m of rest.matchAll(/(?:^|[\s[|/])--([a-z][a-z0-9-]*)/g)) {
      const name = m[1]!;
      const known = (n: string) => cmd.flags.some((f) => f.name === n);
      if (name === 'help' || known(name) || (name.startsWith('no-') && cmd.flags.some((f) => f.name === name.slice(3) && f.type === 'boolean'))) continue;
      problems.push(`clawctl ${cmd.command} has no flag --${name}`);
    }
    for (const m of rest.matchAll(/(?:^|[\s[])-([a-zA-Z])(?=[\s\]/]|$)/g)) {
      if (!cmd.flags.some((f) => f.char === m[1])) problems.push(`clawctl ${cmd.command} has no flag -${m[1]}`);
    }
  }
  return problems;
}

/**
 * Every command mention: inline code spans that start with `clawctl ` (or name a command and a
 * flag, as `plan --decrypt` does), and the lines of shell blocks that run clawctl (or
 * `./bin/run.js`), each with its README line.
 */
export function commandMentions(text: string): Mention[] {
  const mentions: Mention[] = [];
  const lines = text.split('\n');
  let inFence = false;
  let fenceShell = false;
  // Inline spans may continue on the next line; collect the prose outside fences with offsets.
  let prose = '';
  const proseLine: number[] = [];
  lines.forEach((l, i) => {
    const fence = /^\s*```([\w-]*)\s*$/.exec(l);
    if (fence) {
      if (!inFence) fenceShell = SHELL_LANGS.has(fence[1]!);
      inFence = !inFence;
      prose += '\n';
      proseLine.push(i + 1);
      return;
    }
    if (inFence) {
      if (fenceShell) {
        const code = l.replace(/(^|\s)#.*$/, '');
        for (const m of code.matchAll(/(?:^|[\s|&;(])(?:clawctl|\.\/bin\/run\.js)\s+([^|&;#]*)/g)) mentions.push({ line: i + 1, text: m[1]! });
      }
      prose += '\n';
      proseLine.push(i + 1);
      return;
    }
    for (let k = 0; k <= l.length; k++) proseLine.push(i + 1);
    prose += `${l}\n`;
  });
  for (const m of prose.matchAll(/(`+)([^`]+?)\1/g)) {
    const span = m[2]!.replace(/\s+/g, ' ').trim();
    const line = proseLine[m.index!] ?? 0;
    const c = /^clawctl\s+(.*)$/.exec(span);
    if (c) mentions.push({ line, text: c[1]! });
    else if (/\s--[a-z]/.test(span) && BY_LENGTH.some((cmd) => span.startsWith(`${cmd.command} `))) mentions.push({ line, text: span });
  }
  return mentions.sort((a, b) => a.line - b.line);
}

// ---- links -------------------------------------------------------------------------------

/** GitHub's anchor for a heading. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  let inFence = false;
  for (const l of text.split('\n')) {
    if (/^\s*```/.test(l)) inFence = !inFence;
    const h = !inFence && /^#{1,6}\s+(.*)$/.exec(l);
    if (h) slugs.add(headingSlug(h[1]!));
  }
  return slugs;
}

/** Markdown links that are not absolute URLs: `[text](target)`, with their line. */
export function relativeLinks(text: string): { line: number; target: string }[] {
  return text
    .split('\n')
    .flatMap((l, i) => [...l.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ line: i + 1, target: m[1]! })))
    .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));
}
