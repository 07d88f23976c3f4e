#!/usr/bin/env node
// Precompile the manifest schemas into dist/validate/manifest-validators.js with ajv's
// standalone code generation, so `clawctl validate` does not compile schemas on every run.
import { writeFileSync } from 'node:fs';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { manifestAjv, STANDALONE_IDS } from '../dist/validate/schemas.js';
import { esmStandalone } from '../dist/validate/standalone.js';

const ajv = await manifestAjv({ source: true });
const out = new URL('../dist/validate/manifest-validators.js', import.meta.url);
writeFileSync(out, esmStandalone(standaloneCode.default(ajv, STANDALONE_IDS)));
// Load it as clawctl will (an ES module, no global `require`): a module that fails to load
// would leave every run compiling the schemas again, silently.
const mod = await import(out.href);
for (const kind of Object.keys(STANDALONE_IDS)) if (typeof mod[kind] !== 'function') throw new Error(`manifest-validators.js lacks ${kind}`);
