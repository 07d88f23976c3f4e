import { inspect } from 'node:util';
import { sensitiveHash } from './hash.js';

/**
 * A secret value. Redaction is structural: every way of turning one into text (template
 * strings, JSON, util.inspect, console) yields `(sensitive, sha256:xxxxxxxx)`. The value
 * itself comes out only through reveal(), which only the host writers call.
 */
export class Sensitive {
  readonly #value: string;
  readonly #key: string;
  #hash: string | undefined;

  constructor(value: string, fleetKey: string) {
    this.#value = value;
    this.#key = fleetKey;
  }

  /** Keyed hash, safe to print and to compare; computed when first needed (validate never does). */
  get hash(): string {
    return (this.#hash ??= sensitiveHash(this.#value, this.#key));
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
