import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface SnapshotCommand {
  command: string;
  flags: { name: string; char?: string; type: string }[];
}

const SNAPSHOT = JSON.parse(readFileSync(fileURLToPath(new URL('../../command-snapshot.json', import.meta.url)), 'utf8')) as SnapshotCommand[];

/**
 * Problems with a `clawctl …` command line written in a document (a workflow template, the
 * skill): an unknown command or a flag the command does not have, checked against the
 * committed CLI snapshot so docs cannot drift from the CLI.
 */
export function commandLineProblems(line: string): string[] {
  const words = line
    .trim()
    .replace(/^.*?\bclawctl\s+/, '')
    .split(/\s+/)
    .filter(Boolean);
  const cmd = [...SNAPSHOT].sort((a, b) => b.command.length - a.command.length).find((c) => words.join(' ').startsWith(c.command) && /^(\s|$)/.test(words.join(' ').slice(c.command.length)));
  if (!cmd) return [`unknown command: clawctl ${words.slice(0, 2).join(' ')}`];
  const problems: string[] = [];
  for (const w of words.slice(cmd.command.split(' ').length)) {
    const flag = /^--([a-z][a-z0-9-]*)(?:=|$)/.exec(w)?.[1] ?? (/^-([a-zA-Z])$/.exec(w) ? undefined : null);
    if (flag === null || flag === undefined) continue;
    if (flag !== 'help' && !cmd.flags.some((f) => f.name === flag)) problems.push(`clawctl ${cmd.command} has no flag --${flag}`);
  }
  return problems;
}

/** Every `clawctl …` invocation in a shell script or markdown text, one per line. */
export function clawctlLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /(^|[\s`$(|&;])clawctl\s+[a-z]/.test(l) && !/^\s*#/.test(l))
    .map((l) => l.slice(l.search(/clawctl\s+[a-z]/)).replace(/`.*$/, ''));
}
