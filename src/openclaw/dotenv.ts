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

function quote(name: string, value: string): string {
  if (PLAIN.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  if (!/["\\]/.test(value)) return `"${value.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new Error(`.env value of ${name} mixes quotes, backticks and newlines; dotenv cannot represent it`);
}
