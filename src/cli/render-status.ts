import { plural } from './plural.js';
import type { AgentStatus } from '../engine/status.js';
import { table } from './table.js';

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
    a.reason,
  ]);
  return table(['AGENT', 'HOST', 'STATE', 'VERSION', 'DRIFT', 'DETAIL'], rows);
}
