import { inspect } from 'node:util';
import { sensitiveHash } from './hash.js';

/**
 * A secret value. Redaction is structural: every way of turning one into text (template
 * strings, JSON, util.inspect, console) yields `(sensitive, sha256:xxxxxxxx)`. The value
 * itself comes out only through reveal(), which only the host writers call.
 */
export class Sensitive {
  readonly #value: string;
  /** Keyed hash, safe to print and to compare. */
  readonly hash: string;

  constructor(value: string, fleetKey: string) {
    this.#value = value;
    this.hash = sensitiveHash(value, fleetKey);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return `(sensitive, sha256:${this.hash})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
