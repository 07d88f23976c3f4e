import type { SecretListing, SecretWriteResult } from '../secrets/secrets-run.js';

export function renderSecretWrite(r: SecretWriteResult): string {
  const change =
    r.action === 'removed'
      ? `removed (was ${r.before ?? 'sensitive'})`
      : r.action === 'unchanged'
        ? `unchanged (${r.after ?? 'absent'})`
        : `${r.action}: ${r.before ? `(sensitive, ${r.before}) → ` : ''}(sensitive, ${r.after})`;
  const users = r.usedBy.length > 0 ? `\nUsed by ${r.usedBy.join(', ')}: the next \`clawctl apply\` rewrites their .env and restarts them.` : '\nNo agent uses it yet.';
  return `${r.location} ${r.key}: ${change}${users}`;
}

export function renderSecretListing(list: readonly SecretListing[]): string {
  if (list.length === 0) return 'No secrets.';
  return list
    .map((l) => {
      const head = `${l.location}${l.exists ? '' : ' (missing)'}${l.lastChanged ? ` (changed ${l.lastChanged})` : ''}`;
      const keys = new Set([...(l.keys ?? []), ...Object.keys(l.usedBy)]);
      return [head, ...[...keys].map((k) => `  ${k}${l.usedBy[k]?.length ? `  ← ${l.usedBy[k]!.join(', ')}` : ''}${l.keys && !l.keys.includes(k) ? '  (missing)' : ''}`)].join('\n');
    })
    .join('\n');
}
