/**
 * ajv's standalone output with `code.esm` still reaches its runtime helpers (ucs2length,
 * ajv-formats' formats, …) with `require(…)`, which an ES module does not have: the import
 * would throw. Give the module a `require` of its own, resolved from where it is written.
 */
export function esmStandalone(code: string): string {
  if (!code.includes('require(')) return code;
  return `import { createRequire as __clawctlCreateRequire } from 'node:module';\nconst require = __clawctlCreateRequire(import.meta.url);\n${code}`;
}
