import { canonicalJson } from '../util/json.js';
import { sha256 } from '../util/hash.js';
import type { Plan } from './plan.js';

/** The plan's identity in the audit log: SHA-256 over its canonical JSON (no secret is in it). */
export function planHash(plan: Plan): string {
  return `sha256:${sha256(canonicalJson(plan))}`;
}
