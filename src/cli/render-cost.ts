import type { AgentStatus } from '../engine/status.js';
import { describeStanding } from '../policy/budget.js';
import { formatUsd } from '../openclaw/usage-cost.js';

/** `$0.05 / $1.20` (today / this month), `unknown`, or `-` when it was not read. */
export function costCell(s: Pick<AgentStatus, 'cost'>): string {
  if (!s.cost) return '-';
  if (s.cost.state === 'unknown') return 'unknown';
  return `${formatUsd(s.cost.todayUsd)} / ${formatUsd(s.cost.monthUsd)}${s.cost.partial ? ' (partial)' : ''}`;
}

/** Under the table: each budget of each agent, and why a cost is unknown. */
export function costNotes(agents: readonly AgentStatus[]): string[] {
  const out: string[] = [];
  for (const a of agents) {
    if (a.cost?.state === 'unknown') out.push(`  ${a.agent}: cost unknown (${a.cost.reason})`);
    else if (a.cost?.unpricedEntries) out.push(`  ${a.agent}: ${a.cost.unpricedEntries} usage entries this month have no price in OpenClaw's model cost table (counted as $0)`);
    for (const b of a.budgets ?? []) out.push(`  ${a.agent}: ${b.policy}/${b.rule} ${describeStanding(b)}${b.over && b.blocksTierRaise ? '; model tier raises are refused' : ''}`);
  }
  return out;
}
