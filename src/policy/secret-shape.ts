/**
 * The shape of a value under a credential's name: a placeholder that only holds the place
 * of a key a server ignores, or text a key generator wrote.
 */

/** What local model servers (Ollama, LM Studio, vLLM, llama.cpp) and their docs put where a key is required but ignored. */
const PLACEHOLDERS = new Set([
  'none',
  'empty',
  'null',
  'dummy',
  'placeholder',
  'unused',
  'not-needed',
  'not_needed',
  'not-required',
  'no-key',
  'nokey',
  'no-key-required',
  'sk-no-key-required',
  'ollama',
  'ollama-local',
  'lmstudio',
  'lm-studio',
  'llama.cpp',
  'llamacpp',
  'vllm',
  'localai',
  'local',
]);
/**
 * An API key is issued by a provider, and none issues words: short words in one case
 * (ollama-local, sk-dummy, YOUR_API_KEY) are a placeholder. Not so for a password or a
 * gateway token, which a person chooses: there only the known placeholders pass.
 */
const API_KEY_NAME = /api[_-]?key$/i;
const PLAIN_WORDS = /^(?:[a-z]+(?:[-_.][a-z]+)*|[A-Z]+(?:[-_.][A-Z]+)*)$/;
const MAX_PLAIN_WORDS = 24;
/** Words and numbers a person wrote (my-vllm-key-2024), as opposed to generated text. */
const WORDS_AND_NUMBERS = /^[a-z]+(?:[-_.](?:[a-z]+|\d+))+$/i;
/** Generated keys are at least this long; Shannon entropy per character below the floor means repetition. */
const MIN_GENERATED_LENGTH = 20;
const MIN_GENERATED_ENTROPY = 3;

/** A value that only holds the place of a key: known, or (for an API key) short plain words. */
export function isPlaceholder(name: string, value: string): boolean {
  if (PLACEHOLDERS.has(value.toLowerCase())) return true;
  return API_KEY_NAME.test(name) && value.length <= MAX_PLAIN_WORDS && PLAIN_WORDS.test(value);
}

/** Long, unbroken, of several character classes, and not words: how a key generator writes. */
export function looksGenerated(value: string): boolean {
  if (value.length < MIN_GENERATED_LENGTH || /\s/.test(value) || WORDS_AND_NUMBERS.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(value)).length;
  return classes >= 2 && entropy(value) >= MIN_GENERATED_ENTROPY;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}
