#!/usr/bin/env node
// Bundle the CLI for start-up: oclif, every command and what they import, into one CommonJS
// file, dist/bundle/clawctl.cjs, that bin/bundle-loader.js compiles with a V8 code cache.
// Loading ~300 small ES modules costs more than running most commands, and Node 20 keeps no
// compiled code for ES modules between runs; a vm.Script's code cache does (CommonJS only).
// Each command's modules stay lazy inside the bundle (esbuild turns a bundled dynamic
// import into a deferred init). oclif still finds commands through package.json's
// oclif.commands: dist/bundle/commands/<id>.js are shims that take the class from the bundle.
// The unbundled tsc output stays in dist/ for the worker processes and the tests.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(dist, 'bundle');
rmSync(out, { recursive: true, force: true });

const commands = readdirSync(join(dist, 'commands'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3).split('\\').join('/'));

// Native code, optional loaders and the large SDKs stay packages, loaded when used.
const external = ['ssh2', 'cpu-features', '@aws-sdk/*', '@smithy/*', '@octokit/*', 'typescript', 'ts-node', 'playwright-core', 'chokidar', 'fsevents'];

// A vm.Script compiled from a code cache cannot run import() on Node 20 (its callback is lost
// with the cache), so every import() esbuild does not inline goes through __clawctlImport, a
// parameter of the bundle's wrapper (bin/bundle-loader.js) that imports from an ES module.
// Kept as import(): relative paths and bundled packages, which esbuild inlines as lazy inits.
const externalPattern = external.map((e) => e.replace('*', '').replace(/[/.]/g, '\\$&')).join('|');
const dynamicImport = new RegExp(`\\bimport\\((?!\\s*['"](?:\\.|(?!${externalPattern}|node:|fs/)[\\w@]))`, 'g');

const rewrite = {
  name: 'clawctl-bundle-rewrite',
  setup(b) {
    b.onLoad({ filter: /\.(c|m)?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      let contents = text.replace(dynamicImport, '__clawctlImport(');
      // Modules that read files beside themselves through import.meta.url: in a bundle that URL
      // is the bundle's, so each use is pinned to the URL its own dist file has.
      if (/\/dist\//.test(args.path) && !args.path.includes('/node_modules/')) {
        const rel = relative(dist, args.path).split('\\').join('/');
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __clawctlDist).href`);
      }
      return contents === text ? undefined : { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const entry = [
  "export { execute } from '@oclif/core';",
  'export const commands = {',
  ...commands.map((id) => `  ${JSON.stringify(id)}: () => import(${JSON.stringify(join(dist, 'commands', `${id}.js`))}),`),
  '};',
].join('\n');

const result = await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'clawctl-bundle-entry.js', loader: 'js' },
  outfile: join(out, 'clawctl.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Stack traces and oclif's class checks keep their names.
  keepNames: true,
  logLevel: 'warning',
  plugins: [rewrite],
  external,
  write: false,
  banner: {
    js: [
      "const __clawctlDist = require('node:url').pathToFileURL(__filename).href.replace(/\\/dist\\/bundle\\/[^/]*$/, '/dist/');",
      // Bundled oclif asks for its own directory, rarely (its package.json): resolved then.
      "const __clawctlPaths = { get oclifLib() { return require.resolve('@oclif/core/package.json').slice(0, -'package.json'.length) + 'lib'; } };",
    ].join('\n'),
  },
  define: { __dirname: '__clawctlPaths.oclifLib' },
});
const [bundle] = result.outputFiles;
// Whatever import() is left would fail at run time from the cache: fail the build instead.
const left = bundle.text.match(/\bimport\([^)]{0,40}/g);
if (left) throw new Error(`dynamic import() left in the bundle (add its package to the rewrite): ${left.join(', ')}`);
mkdirSync(out, { recursive: true });
writeFileSync(bundle.path, bundle.text);

for (const id of commands) {
  const file = join(out, 'commands', `${id}.js`);
  mkdirSync(dirname(file), { recursive: true });
  const to = (path) => JSON.stringify(relative(dirname(file), path).split('\\').join('/'));
  writeFileSync(
    file,
    [
      `// clawctl ${id}: the command class from the bundle bin/run.js loaded, or from dist/ without it.`,
      `import { bundledCommand } from ${to(join(root, 'bin', 'bundle-loader.js'))};`,
      `export default await bundledCommand(${JSON.stringify(id)}, () => import(${to(join(dist, 'commands', `${id}.js`))}));`,
      '',
    ].join('\n'),
  );
}
