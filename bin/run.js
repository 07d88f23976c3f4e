#!/usr/bin/env node
// oclif and the commands from the build's bundle, compiled from a code cache when one exists
// (bin/bundle-loader.js). Without a bundle (a build that skipped it), oclif from its package.
import module from 'node:module';
import { loadBundle } from './bundle-loader.js';

// Node >= 22.1 keeps compiled code of ES modules between runs (a no-op on Node 20): what the
// bundle does not hold, such as ssh2 and the AWS SDK, and everything when there is no bundle.
module.enableCompileCache?.();

const { execute } = loadBundle() ?? (await import('@oclif/core'));
await execute({ dir: import.meta.url });
