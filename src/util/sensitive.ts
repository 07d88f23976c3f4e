import { inspect } from 'node:util';
import { keyedHash } from './hash.js';

/**
 * A secret value. Redaction is structural: every way of turning one into text (template
 * strings, JSON, util.inspect, console) yields `(sensitive, sha256:xxxxxxxx)`. The value
 * itself comes out only through reveal(), which only the host writers call.
 */
export class Sensitive {
  readonly #value: string | undefined;
  readonly #key: string;
  #full: string | undefined;

  /** A value this run holds (decrypted, or read from a host); `recorded` stands in for a value never decrypted. */
  constructor(value: string, fleetKey: string);
  constructor(value: undefined, fleetKey: '', recorded: string);
  constructor(value: string | undefined, fleetKey: string, recorded?: string) {
    this.#value = value;
    this.#key = fleetKey;
    this.#full = recorded;
  }

  /**
   * A value this run never decrypted, known only by its recorded keyed hash (a keyless plan):
   * it compares and prints like any other, and cannot be revealed.
   */
  static ofHash(fullHash: string): Sensitive {
    return new Sensitive(undefined, '', fullHash);
  }

  /** False for a value known only by its hash. */
  get known(): boolean {
    return this.#value !== undefined;
  }

  /** The whole keyed hash (HMAC-SHA256 hex): the hash record's form, and what digests commit to. */
  get fullHash(): string {
    return (this.#full ??= keyedHash(this.#value!, this.#key));
  }

  /** Keyed hash, safe to print and to compare; computed when first needed (validate never does). */
  get hash(): string {
    return this.fullHash.slice(0, 8);
  }

  reveal(): string {
    if (!this.known) throw new Error('a secret value known only by its recorded hash cannot be revealed; only apply decrypts');
    return this.#value!;
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
