#!/usr/bin/env node
// oclif from the build's bundle (scripts/build-bundle.mjs): one module instead of ~110 files.
// Without a bundle (a build that skipped it), oclif from its package.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node >= 22.1 keeps compiled code between runs (a no-op on Node 20, which has no such cache).
module.enableCompileCache?.();

const bundle = new URL('../dist/bundle/oclif.js', import.meta.url);
const { execute } = await import(existsSync(bundle) ? bundle.href : '@oclif/core');

await execute({ dir: import.meta.url });
