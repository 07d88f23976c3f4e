import { pointerToPath } from '../util/json.js';
import type { DataPath, SourceDoc } from '../load/source-doc.js';
import type { Diagnostic } from '../util/errors.js';
import type { SchemaError } from './schemas.js';

/**
 * Turn ajv's errors for one document into diagnostics at the offending key or value.
 * Branch errors of a failed oneOf are folded into one line naming the accepted forms,
 * because "must have property 'sops'" next to "must have property 'aws'" helps nobody.
 */
export function schemaDiagnostics(doc: SourceDoc, errors: readonly SchemaError[], prefix: DataPath = []): Diagnostic[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  const kept = errors.filter((e) => !oneOfs.some((o) => e !== o && e.schemaPath.startsWith(`${o.schemaPath}/`)));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const err of kept) {
    const { path, message, hint, atKey } = describe(err);
    const full = [...prefix, ...path];
    const pos = doc.locate(full, { key: atKey === true });
    const key = `${pos.line}:${pos.col}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(hint ? { pos, message, hint } : { pos, message });
  }
  return out;
}

function describe(err: SchemaError): { path: DataPath; message: string; hint?: string; atKey?: boolean } {
  const path = pointerToPath(err.instancePath);
  const at = path.length > 0 ? path.join('.') : 'document';
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((err.parentSchema?.properties as object | undefined) ?? {});
      return {
        path: [...path, extra],
        atKey: true,
        message: `unknown field "${extra}" in ${at}`,
        ...(allowed.length > 0 ? { hint: `expected one of: ${allowed.join(', ')}` } : {}),
      };
    }
    case 'required':
      return { path, message: `${at} is missing required field "${String(p.missingProperty)}"` };
    case 'oneOf':
      return { path, message: `${at} must be exactly one of: ${branchNames(err).join(' | ')}` };
    case 'enum':
      return { path, message: `${at} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, message: `${at} must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern': {
      const description = (err.parentSchema as { description?: string } | undefined)?.description;
      return { path, message: `${at} ${err.message ?? 'is invalid'}`, ...(description ? { hint: description } : {}) };
    }
    case 'propertyNames':
      return { path: [...path, String(p.propertyName)], atKey: true, message: `${at} has an invalid key "${String(p.propertyName)}"` };
    default:
      return { path, message: `${at} ${err.message ?? 'is invalid'}` };
  }
}

/** How each branch of a oneOf reads to a user: its type, or the fields it requires. */
function branchNames(err: SchemaError): string[] {
  const branches = (err.schema as Record<string, unknown>[] | undefined) ?? [];
  return branches.map((b) => {
    if (Array.isArray(b.required)) return `{${(b.required as string[]).join(', ')}}`;
    if (typeof b.type === 'string') return b.type;
    return 'object';
  });
}
