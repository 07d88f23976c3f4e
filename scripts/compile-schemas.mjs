#!/usr/bin/env node
// Precompile the manifest schemas into dist/validate/manifest-validators.js with ajv's
// standalone code generation, so `clawctl validate` does not compile schemas on every run.
// The generated code is bundled with the ajv runtime helpers it requires and minified: one
// ES module that loads without resolving packages, and parses in a third of the time.
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { manifestAjv, STANDALONE_IDS } from '../dist/validate/schemas.js';

const ajv = await manifestAjv({ source: true });
const out = new URL('../dist/validate/manifest-validators.js', import.meta.url);
await build({
  stdin: { contents: standaloneCode.default(ajv, STANDALONE_IDS), resolveDir: fileURLToPath(new URL('.', out)), sourcefile: 'ajv-standalone.js', loader: 'js' },
  outfile: fileURLToPath(out),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});
// Load it as clawctl will (an ES module, no global `require`): a module that fails to load
// would leave every run compiling the schemas again, silently.
const mod = await import(out.href);
for (const kind of Object.keys(STANDALONE_IDS)) if (typeof mod[kind] !== 'function') throw new Error(`manifest-validators.js lacks ${kind}`);
