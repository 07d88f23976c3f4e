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

/** Deep merge for config layering: objects merge key by key, anything else is replaced. */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** RFC 8785 canonical JSON: equal data always hashes and prints the same. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}
