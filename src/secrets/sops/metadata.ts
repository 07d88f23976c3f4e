import { isMap, isScalar, type Document } from 'yaml';

/** The `sops:` block of an age-encrypted file, as getsops/sops stores/stores.go writes it. */
export interface SopsMetadata {
  age: { recipient: string; enc: string }[];
  lastmodified: string;
  mac: string;
  version: string;
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
  mac_only_encrypted?: boolean;
}

/** Which values a file encrypts: the part of the metadata (or of a creation rule) that says so. */
export type EncryptionRule = Pick<SopsMetadata, 'unencrypted_suffix' | 'encrypted_suffix' | 'unencrypted_regex' | 'encrypted_regex' | 'mac_only_encrypted'>;

const RULE_KEYS = ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'] as const;
const UNSUPPORTED = ['key_groups', 'shamir_threshold', 'unencrypted_comment_regex', 'encrypted_comment_regex'];

/** The metadata of a parsed SOPS YAML document; throws with what is wrong or unsupported. */
export function readMetadata(doc: Document): SopsMetadata {
  const node = doc.get('sops', true);
  if (!isMap(node)) throw new Error('not a SOPS file: no `sops:` metadata block');
  const meta = node.toJSON() as Record<string, unknown>;
  for (const key of UNSUPPORTED) {
    if (meta[key] !== undefined && meta[key] !== null && meta[key] !== '') throw new Error(`SOPS metadata \`${key}\` is not supported by clawctl (only one age key group)`);
  }
  const ageKeys = Array.isArray(meta.age) ? (meta.age as unknown[]) : [];
  const age = ageKeys.map((k) => {
    const o = (k ?? {}) as Record<string, unknown>;
    if (typeof o.recipient !== 'string' || typeof o.enc !== 'string') throw new Error('SOPS metadata: every `age` entry needs `recipient` and `enc`');
    return { recipient: o.recipient, enc: o.enc };
  });
  if (age.length === 0) throw new Error('this SOPS file has no age recipients (clawctl reads age-encrypted SOPS files only)');
  // lastmodified must be kept as the exact text: it authenticates the MAC.
  const lm = node.get('lastmodified', true);
  if (!isScalar(lm) || typeof meta.mac !== 'string' || typeof meta.version !== 'string') throw new Error('SOPS metadata needs `lastmodified`, `mac` and `version`');
  const out: SopsMetadata = { age, lastmodified: String(lm.source ?? lm.value), mac: meta.mac, version: meta.version };
  for (const key of RULE_KEYS) if (typeof meta[key] === 'string' && meta[key] !== '') out[key] = meta[key] as string;
  if (meta.mac_only_encrypted === true) out.mac_only_encrypted = true;
  return out;
}

/** Whether SOPS encrypts the value at this key path (sops.go shouldBeEncrypted, without comments). */
export function shouldBeEncrypted(path: readonly string[], rule: EncryptionRule): boolean {
  let encrypted = true;
  if (rule.unencrypted_suffix && path.some((p) => p.endsWith(rule.unencrypted_suffix!))) encrypted = false;
  if (rule.encrypted_suffix) encrypted = path.some((p) => p.endsWith(rule.encrypted_suffix!));
  if (rule.unencrypted_regex && path.some((p) => new RegExp(rule.unencrypted_regex!).test(p))) encrypted = false;
  if (rule.encrypted_regex) encrypted = path.some((p) => new RegExp(rule.encrypted_regex!).test(p));
  return encrypted;
}

/** What sops writes by default when a creation rule names none of the encryption rules. */
export function withDefaultRule(rule: EncryptionRule): EncryptionRule {
  return RULE_KEYS.some((k) => rule[k]) ? rule : { ...rule, unencrypted_suffix: '_unencrypted' };
}
