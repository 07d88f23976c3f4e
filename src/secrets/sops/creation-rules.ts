import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { isAgeRecipient } from './age-keys.js';
import { withDefaultRule, type EncryptionRule } from './metadata.js';
import { SopsError } from './sops-file.js';

/** The `.sops.yaml` creation rule for a new file: whom to encrypt for, and what to encrypt. */
export interface CreationRule {
  recipients: string[];
  rule: EncryptionRule;
  /** The .sops.yaml it came from, and the rule's line, for messages. */
  from: string;
}

/**
 * Find `.sops.yaml` from the file's directory upwards (sops starts at the working directory;
 * clawctl starts at the file, so it finds the fleet repo's rules from anywhere) and take
 * the first creation rule whose path_regex matches the file's path relative to it.
 */
export async function creationRuleFor(file: string): Promise<CreationRule> {
  const config = await findConfig(dirname(file));
  if (!config)
    throw new SopsError(
      `no .sops.yaml above ${file} says whom to encrypt it for`,
      'run `clawctl init`, or write a .sops.yaml with `creation_rules: [{path_regex: …, age: <recipient>}]` at the repo root',
    );
  const lineCounter = new LineCounter();
  const doc = parseDocument(await readFile(config, 'utf8'), { lineCounter });
  const where = (node: Node | null | undefined) => (node?.range ? `${config}:${lineCounter.linePos(node.range[0]).line}` : config);
  const rules = doc.get('creation_rules', true);
  if (doc.errors.length > 0 || !isSeq(rules)) throw new SopsError(`${config}: expected a YAML map with a \`creation_rules\` list`);
  const target = relative(dirname(config), file);
  for (const node of rules.items) {
    if (!isMap(node)) throw new SopsError(`${where(node as Node)}: each creation rule must be a map`);
    const r = node.toJSON() as Record<string, unknown>;
    if (typeof r.path_regex === 'string' && !new RegExp(r.path_regex).test(target)) continue;
    const recipients = ageRecipients(r);
    if (recipients.length === 0)
      throw new SopsError(`${where(node)}: the creation rule for ${target} names no age recipient`, 'add `age: age1…` (comma-separated for several); clawctl encrypts for age only');
    for (const rcpt of recipients) {
      if (!(await isAgeRecipient(rcpt))) throw new SopsError(`${where(node)}: "${rcpt}" is not an age recipient`, 'an age recipient looks like age1… (`clawctl init` or `age-keygen -y` prints yours)');
    }
    const rule: EncryptionRule = {};
    for (const key of ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'] as const) if (typeof r[key] === 'string') rule[key] = r[key];
    if (r.mac_only_encrypted === true) rule.mac_only_encrypted = true;
    return { recipients, rule: withDefaultRule(rule), from: where(node) };
  }
  throw new SopsError(`${config}: no creation rule matches ${target}`, 'add a rule whose path_regex matches it, e.g. `path_regex: secrets/.*\\.sops\\.yaml$`');
}

/** `age:` as sops accepts it: one comma-separated string or a list; or a single key group. */
function ageRecipients(r: Record<string, unknown>): string[] {
  const groups = Array.isArray(r.key_groups) ? (r.key_groups as Record<string, unknown>[]) : [];
  if (groups.length > 1) throw new SopsError('several key_groups (Shamir secret sharing) are not supported by clawctl');
  const raw = groups[0]?.age ?? r.age;
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  return list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

async function findConfig(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, '.sops.yaml');
    if (
      await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
