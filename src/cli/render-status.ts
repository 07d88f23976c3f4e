import { plural } from './plural.js';
import type { AgentStatus } from '../engine/status.js';
import { table } from './table.js';

/** A table of agents, as `status` and `agents list` print it. */
export function renderStatusTable(agents: readonly AgentStatus[]): string {
  if (agents.length === 0) return 'No agents in scope.';
  const rows = agents.map((a) => [
    a.agent,
    a.host,
    a.state,
    a.version.running ?? a.version.installed ?? '-',
    a.drift === 0 ? 'in sync' : plural(a.drift, 'change'),
    a.reason,
  ]);
  return table(['AGENT', 'HOST', 'STATE', 'VERSION', 'DRIFT', 'DETAIL'], rows);
}
