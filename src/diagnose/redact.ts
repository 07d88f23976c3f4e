import { redactCredentials } from '../policy/secret-literals.js';
import type { Sensitive } from '../util/sensitive.js';

/**
 * Host text (logs, journal, probe bodies) shown to people: every value the agent's .env
 * holds, desired or found, becomes its `(sensitive, sha256:…)` form, and anything shaped
 * like a known credential is replaced too, since a log can echo a key clawctl never knew.
 */
export function redactor(values: readonly Sensitive[]): (text: string) => string {
  // Longest first, so a value containing another is replaced whole. Short values would
  // blank out ordinary words: those are left to the credential patterns.
  // A value known only by its recorded hash (a keyless run) is on the host, whose .env values are here too.
  const known = [...new Map(values.filter((v) => v.known).map((v) => [v.reveal(), v])).values()].filter((v) => v.reveal().length >= 6).sort((a, b) => b.reveal().length - a.reveal().length);
  return (text) => redactCredentials(known.reduce((t, v) => t.split(v.reveal()).join(v.toString()), text));
}
