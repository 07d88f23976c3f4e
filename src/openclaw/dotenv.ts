import { parse } from 'dotenv';

/** .env as OpenClaw reads it: the same dotenv parser, so what we compare is what it sees. */
export function parseDotenv(text: string): Record<string, string> {
  return parse(text);
}

const PLAIN = /^[A-Za-z0-9_\-.:/@+,=%^]*$/;

/**
 * Render .env lines that dotenv parses back to exactly these values (round-trip tested):
 * plain when safe, single quotes (literal) where possible, double quotes for newlines.
 */
export function renderDotenv(entries: Readonly<Record<string, string>>): string {
  const lines = ['# Managed by clawctl from the fleet repository; local edits are overwritten.'];
  for (const name of Object.keys(entries).sort()) lines.push(`${name}=${quote(name, entries[name]!)}`);
  return `${lines.join('\n')}\n`;
}

/** Why a value can't be written to .env, or undefined when it can. */
export function dotenvProblem(value: string): string | undefined {
  return quoteOrUndefined(value) === undefined ? 'mixes single quotes or newlines with double quotes, backslashes and backticks, which dotenv cannot represent' : undefined;
}

function quote(name: string, value: string): string {
  const quoted = quoteOrUndefined(value);
  if (quoted === undefined) throw new Error(`.env value of ${name} ${dotenvProblem(value)}`);
  return quoted;
}

function quoteOrUndefined(value: string): string | undefined {
  if (PLAIN.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  if (!/["\\]/.test(value)) return `"${value.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
  if (!/[`\n\r]/.test(value)) return `\`${value}\``;
  return undefined;
}
