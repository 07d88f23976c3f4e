import canonicalize from 'canonicalize';
/** Plain JSON data: what every pipeline stage passes to the next. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge for config layering: objects merge key by key, anything else is replaced;
 * with `arrays: 'concat'`, arrays are joined, as OpenClaw merges `$include`d files.
 */
export function deepMerge(base: JsonObject, over: JsonObject, opts: { arrays: 'replace' | 'concat' } = { arrays: 'replace' }): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    if (isObject(prev) && isObject(value)) out[key] = deepMerge(prev, value, opts);
    else if (opts.arrays === 'concat' && Array.isArray(prev) && Array.isArray(value)) out[key] = [...prev, ...value];
    else out[key] = value;
  }
  return out;
}

/** The value at a path of JSON data (object keys, array indexes), if there is one. */
export function valueAt(root: unknown, path: readonly (string | number)[]): JsonValue | undefined {
  let cur = root;
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === 'number') cur = cur[key];
    else if (isObject(cur)) cur = cur[String(key)];
    else return undefined;
  }
  return cur as JsonValue | undefined;
}

/** A JSON Pointer (RFC 6901) as a path for valueAt: `~1` and `~0` unescaped, digits as indexes. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** RFC 8785 canonical JSON: equal data always hashes and prints the same. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}
