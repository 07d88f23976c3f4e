#!/usr/bin/env node
// Write oclif.manifest.json at build time, as the oclif CLI's `manifest` command does: with it,
// oclif finds commands and flags without importing every command (and ssh2, ajv…) at start-up.
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
// oclif reads an existing manifest instead of the commands: start from none, or new commands go unseen.
rmSync(`${root}oclif.manifest.json`, { force: true });
const config = await Config.load(root);
const plugin = config.plugins.get(config.pjson.name);
writeFileSync(`${root}oclif.manifest.json`, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
