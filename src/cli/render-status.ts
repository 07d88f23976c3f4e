import type { AgentStatus } from '../engine/status.js';

/** A table of agents, as `status` and `agents list` print it. */
export function renderStatusTable(agents: readonly AgentStatus[]): string {
  if (agents.length === 0) return 'No agents in scope.';
  const rows = agents.map((a) => [
    a.agent,
    a.host,
    a.state,
    a.version.running ?? a.version.installed ?? '-',
    a.drift === 0 ? 'in sync' : `${a.drift} change(s)`,
    a.reason,
  ]);
  const head = ['AGENT', 'HOST', 'STATE', 'VERSION', 'DRIFT', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
