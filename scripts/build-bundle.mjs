#!/usr/bin/env node
// Bundle the CLI for start-up: oclif, every command and what they import, into ES modules
// under dist/bundle/ (one per command, shared code in chunks). Loading ~300 small files costs
// more than running most commands (`clawctl validate`: ~100 ms of module resolution and
// compilation); oclif finds the bundled commands through package.json's oclif.commands.
// The unbundled tsc output stays in dist/ for the worker processes and the tests.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(dist, 'bundle');
rmSync(out, { recursive: true, force: true });

const commands = readdirSync(join(dist, 'commands'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(dist, 'commands', f));

// Modules that read files beside themselves through import.meta.url: in a bundle that URL is
// the chunk's, so each use is pinned to the URL its own dist file has (found from the chunk's
// own URL at run time: everything lives under <package>/dist/).
const pinImportMetaUrl = {
  name: 'pin-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dist, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __clawctlDist).href`), loader: 'js', resolveDir: join(args.path, '..') };
    });
  },
};

await build({
  entryPoints: [{ in: join(root, 'scripts', 'bundle-entry.mjs'), out: 'oclif' }, ...commands.map((f) => ({ in: f, out: relative(dist, f).slice(0, -3) }))],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  // Stack traces and oclif's class checks keep their names.
  keepNames: true,
  logLevel: 'warning',
  plugins: [pinImportMetaUrl],
  // Native code, optional loaders and the large SDKs stay packages, loaded when used.
  external: ['ssh2', 'cpu-features', '@aws-sdk/*', '@smithy/*', '@octokit/*', 'typescript', 'ts-node', 'playwright-core', 'chokidar', 'fsevents'],
  banner: {
    js: [
      "import { createRequire as __clawctlRequire } from 'node:module';",
      'const require = __clawctlRequire(import.meta.url);',
      "const __clawctlDist = import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6);",
      // Bundled CommonJS (oclif) asks for its own directory, rarely (its package.json): resolved then.
      "const __clawctlPaths = { get oclifLib() { return require.resolve('@oclif/core/package.json').slice(0, -'package.json'.length) + 'lib'; } };",
    ].join('\n'),
  },
  define: { __dirname: '__clawctlPaths.oclifLib' },
});
