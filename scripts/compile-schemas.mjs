#!/usr/bin/env node
// Precompile the manifest schemas into dist/validate/manifest-validators.js with ajv's
// standalone code generation, so `clawctl validate` does not compile schemas on every run.
import { writeFileSync } from 'node:fs';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { manifestAjv, STANDALONE_IDS } from '../dist/validate/schemas.js';

const ajv = await manifestAjv({ source: true });
const code = standaloneCode.default(ajv, STANDALONE_IDS);
writeFileSync(new URL('../dist/validate/manifest-validators.js', import.meta.url), code);
