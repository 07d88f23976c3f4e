import type { DataPath } from '../load/source-doc.js';
import { isObject, type JsonValue } from '../util/json.js';
import type { EnvMap } from '../validate/manifests.js';
import { isLoopbackUrl } from './loopback.js';
import { isPlaceholder, looksGenerated } from './secret-shape.js';

/** Credential formats that are unmistakable wherever they appear. */
const PATTERNS: readonly { what: string; re: RegExp }[] = [
  { what: 'an Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { what: 'an OpenAI-style API key', re: /\bsk-[A-Za-z0-9_-]{20,}/ },
  { what: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Slack app token', re: /\bxapp-\d-[A-Za-z0-9-]{10,}/ },
  { what: 'a Telegram bot token', re: /\b\d{6,12}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/ },
  { what: 'an AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { what: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}/ },
  { what: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** Text with every unmistakable credential replaced by what it is, for logs shown to people. */
export function redactCredentials(text: string): string {
  return PATTERNS.reduce((t, p) => t.replace(new RegExp(p.re.source, 'g'), `(redacted: ${p.what})`), text);
}

/** A key or variable whose name says it holds a credential (botToken, OPENAI_API_KEY, password). */
const SECRET_NAME = /(?:token|password|secret|api[_-]?key)$/i;
/** Shorter values under such names are placeholders or flags, not credentials. */
const MIN_SECRET_LENGTH = 8;
/** OpenClaw substitutes `${VAR}` from the environment: a reference, not a literal. */
const ENV_SUBSTITUTION = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

export interface SecretHit {
  path: DataPath;
  what: string;
}

/**
 * What a literal looks like, if it looks like a credential; the value itself is never
 * returned. `loopback`: the value is only sent to this machine (a model server on
 * 127.0.0.1), so only a known credential format or a generated-looking value counts.
 */
export function looksSecret(name: string, value: string, opts: { loopback?: boolean } = {}): string | undefined {
  const known = PATTERNS.find((p) => p.re.test(value));
  if (known) return known.what;
  if (!SECRET_NAME.test(name) || ENV_SUBSTITUTION.test(value) || isPlaceholder(name, value)) return undefined;
  if (opts.loopback) return looksGenerated(value) ? `a credential (by its name "${name}" and its random shape)` : undefined;
  return value.length >= MIN_SECRET_LENGTH ? `a credential (by its name "${name}")` : undefined;
}

/**
 * Every string in openclaw.json content that looks like a credential. SecretRef objects
 * hold no string that does. An object whose `baseUrl` is loopback (a local model server's
 * provider entry) is judged as loopback; `effective` is the config the agent will run
 * with, where that baseUrl may come from Fleet defaults.
 */
export function secretsInConfig(value: JsonValue | undefined, effective: JsonValue | undefined = value): SecretHit[] {
  const hits: SecretHit[] = [];
  const walk = (v: JsonValue | undefined, eff: JsonValue | undefined, path: DataPath, loopback: boolean): void => {
    if (typeof v === 'string') {
      const what = looksSecret(String(path[path.length - 1] ?? ''), v, { loopback });
      if (what) hits.push({ path, what });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, Array.isArray(eff) ? eff[i] : undefined, [...path, i], loopback));
    } else if (isObject(v)) {
      const here = loopback || isLoopbackUrl(isObject(eff) ? eff.baseUrl : v.baseUrl);
      for (const [k, item] of Object.entries(v)) walk(item, isObject(eff) ? eff[k] : undefined, [...path, k], here);
    }
  };
  walk(value, effective, [], false);
  return hits;
}

/** Literal .env values (secretRefs are the sanctioned form) that look like credentials. */
export function secretsInEnv(env: EnvMap | undefined): SecretHit[] {
  return Object.entries(env ?? {}).flatMap(([name, value]) => {
    const what = typeof value === 'string' ? looksSecret(name, value) : undefined;
    return what ? [{ path: [name], what }] : [];
  });
}
