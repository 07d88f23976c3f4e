import type { ApplyResult } from '../apply/apply-result.js';

/** Human summary of an apply, from its JSON form. */
export function renderApplyText(result: ApplyResult): string {
  const lines: string[] = [''];
  for (const h of result.hosts) {
    if (h.ok) lines.push(`  ✓ host ${h.host}: ${h.done.join(', ')}`);
    else lines.push(`  ✗ host ${h.host}: ${h.error ?? 'failed'}; its agents were not applied`);
  }
  for (const a of result.agents) {
    if (a.ok) lines.push(`  ✓ ${a.agent} (${a.host}): ${a.done.join(', ') || 'nothing to do'}`);
    else lines.push(`  ✗ ${a.agent} (${a.host}): ${a.error ?? 'failed'}${a.rolledBack ? ' — rolled back' : ''}`);
  }
  for (const s of result.skipped) lines.push(`  - ${s}: skipped, after a failure`);
  const ok = result.agents.filter((a) => a.ok).length;
  const failed = result.agents.length - ok;
  const head = { 'nothing-to-do': 'Nothing to apply.', applied: 'Apply complete!', partial: 'Apply finished partly.', failed: 'Apply failed.' }[result.status];
  lines.push('', `${head} ${ok} agent(s) applied, ${failed} failed, ${result.skipped.length} skipped.`);
  return lines.join('\n');
}
