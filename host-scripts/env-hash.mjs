// clawctl observation gate: a .env's entries as keyed hashes, never its values.
//   node env-hash.mjs KEYFILE OPENCLAW_PACKAGE_JSON ENVFILE...
// Parsed with the dotenv that OpenClaw itself ships, so the names and values hashed are the
// ones the gateway reads. Prints `envhash PATH NAME HMAC-SHA256-HEX` per entry, or
// `envhash-error PATH REASON` when a file cannot be read or parsed: never a value.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [keyFile, pkg, ...files] = process.argv.slice(2);
const key = readFileSync(keyFile, 'utf8');
let parse;
try {
  ({ parse } = createRequire(pkg)('dotenv'));
} catch {
  parse = undefined;
}
const out = [];
for (const file of files) {
  if (!parse) {
    out.push(`envhash-error ${file} OpenClaw's dotenv could not be loaded from ${pkg}`);
    continue;
  }
  let entries;
  try {
    entries = parse(readFileSync(file));
  } catch (err) {
    out.push(`envhash-error ${file} ${String(err.code ?? 'unreadable')}`);
    continue;
  }
  for (const [name, value] of Object.entries(entries)) {
    // Names are printed, so only names dotenv could have written: anything else is junk.
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) continue;
    out.push(`envhash ${file} ${name} ${createHmac('sha256', key).update(value).digest('hex')}`);
  }
}
process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
