import type { ApplyResult } from '../apply/apply-result.js';

/** Human summary of an apply, from its JSON form. */
export function renderApplyText(result: ApplyResult): string {
  const lines: string[] = [''];
  for (const h of result.hosts) {
    if (h.ok) lines.push(`  ✓ host ${h.host}: ${h.done.join(', ')}`);
    else lines.push(`  ✗ host ${h.host}: ${h.error ?? 'failed'}; its agents were not applied`);
    for (const b of h.backups ?? []) lines.push(`      backup of ${b.agent}, kept on the host: ${b.archive}`);
    if (h.switchedBackTo) lines.push(`      switched back to OpenClaw ${h.switchedBackTo}`);
  }
  for (const a of result.agents) {
    if (a.ok) lines.push(`  ✓ ${a.agent} (${a.host}): ${a.done.join(', ') || 'nothing to do'}`);
    else lines.push(`  ✗ ${a.agent} (${a.host}): ${a.error ?? 'failed'}${a.rolledBack ? ' — rolled back' : ''}`);
    if (a.healthyAfterRollback !== undefined && !a.rolledBack) lines.push(`      ${a.healthyAfterRollback ? 'healthy again on the previous version' : 'NOT healthy on the previous version'}`);
  }
  const skipped = (why: string) => result.skipped.map((s) => `  - ${s}: skipped, ${why}`);
  lines.push(...skipped(result.heldAfter ? `held for the next apply (--until ${result.heldAfter})` : 'after a failure'));
  if (result.waves.length > 1 || result.heldAfter) {
    lines.push('', `  Waves: ${result.waves.map((w) => `${w.name} ${w.status}${w.error ? ` (${w.error})` : ''}`).join(' → ')}`);
  }
  const ok = result.agents.filter((a) => a.ok).length;
  const failed = result.agents.length - ok;
  const head = {
    'nothing-to-do': 'Nothing to apply.',
    applied: result.heldAfter ? `Applied up to wave ${result.heldAfter}.` : 'Apply complete!',
    partial: 'Apply finished partly.',
    failed: 'Apply failed.',
  }[result.status];
  lines.push('', `${head} ${ok} agent(s) applied, ${failed} failed, ${result.skipped.length} skipped.`);
  return lines.join('\n');
}
