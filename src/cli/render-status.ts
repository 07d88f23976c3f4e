import { plural } from './plural.js';
import type { AgentStatus } from '../engine/status.js';
import type { AgentHistory } from '../history/health-history.js';
import { table } from './table.js';
import { costCell, costNotes } from './render-cost.js';

/** A table of agents, as `status` and `agents list` print it. */
export function renderStatusTable(agents: readonly AgentStatus[]): string {
  if (agents.length === 0) return 'No agents in scope.';
  // By host, then agent: the fleet as a person scans it, whatever order the hosts answered in.
  const sorted = [...agents].sort((a, b) => a.host.localeCompare(b.host) || a.agent.localeCompare(b.agent));
  const rows = sorted.map((a) => [
    a.agent,
    a.host,
    a.state,
    a.version.running ?? a.version.installed ?? '-',
    a.drift === 0 ? 'in sync' : plural(a.drift, 'change'),
    costCell(a),
    a.budgets?.some((b) => b.over) ? 'OVER' : a.budgets?.length ? 'ok' : '-',
    a.reason,
  ]);
  const notes = costNotes(sorted);
  return [table(['AGENT', 'HOST', 'STATE', 'VERSION', 'DRIFT', 'COST TODAY / MONTH', 'BUDGET', 'DETAIL'], rows), ...(notes.length > 0 ? ['', 'Cost and budgets:', ...notes] : [])].join('\n');
}

/** `status --since`: per agent, its uptime over the cycles that saw it, then each change of state. */
export function renderHistory(history: readonly AgentHistory[], window: string): string {
  const out = [`\nOver the last ${window}:`];
  for (const h of history) {
    if (h.samples === 0) {
      out.push(`  ${h.agent}: no record (watch or dashboard records each cycle)`);
      continue;
    }
    const response = h.responseMs ? `, /readyz answered in ${h.responseMs.median} ms (median; slowest ${h.responseMs.max} ms)` : '';
    out.push(`  ${h.agent}: up ${(h.uptime * 100).toFixed(1)}% of ${plural(h.samples, 'check')} (${h.first} … ${h.last}), ${plural(h.transitions.length, 'change')} of state${response}`);
    for (const t of h.transitions) out.push(`    ${t.at}  ${t.from} → ${t.to}: ${t.reason}`);
  }
  return out.join('\n');
}
