import jsonpatch from 'fast-json-patch';
import type { DesiredAgent } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { pointerToPath, valueAt, type JsonObject } from '../util/json.js';
import type { Sensitive } from '../util/sensitive.js';

/**
 * What apply will write: the desired files with every ignoreDifferences pointer taken from
 * the host as it is. Ignored parts are thus neither planned nor overwritten.
 */
export interface EffectiveFiles {
  config: JsonObject;
  env: Record<string, Sensitive>;
}

export function effectiveFiles(desired: DesiredAgent, observed: ObservedAgent): EffectiveFiles {
  const config = structuredClone(desired.config);
  const env = { ...desired.env };
  for (const rule of desired.ignore) {
    for (const pointer of rule.jsonPointers) {
      if (rule.file === '.env') {
        const name = pointerToPath(pointer)[0] as string;
        const kept = observed.env?.entries[name];
        if (kept) env[name] = kept;
        else delete env[name];
      } else {
        keepPointer(config, observed.config?.value ?? null, pointer);
      }
    }
  }
  return { config, env };
}

function keepPointer(target: JsonObject, source: JsonObject | null, pointer: string): void {
  const value = source ? valueAt(source, pointerToPath(pointer)) : undefined;
  const present = valueAt(target, pointerToPath(pointer)) !== undefined;
  if (value === undefined) {
    if (present) jsonpatch.applyOperation(target, { op: 'remove', path: pointer }, false, true);
    return;
  }
  ensureParents(target, pointer);
  jsonpatch.applyOperation(target, { op: present ? 'replace' : 'add', path: pointer, value: structuredClone(value) }, false, true);
}

function ensureParents(doc: JsonObject, pointer: string): void {
  let cur: Record<string, unknown> = doc;
  for (const key of pointerToPath(pointer).slice(0, -1)) {
    const next = cur[String(key)];
    if (typeof next !== 'object' || next === null) cur[String(key)] = {};
    cur = cur[String(key)] as Record<string, unknown>;
  }
}
