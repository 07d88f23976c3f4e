import type { AuditEntry } from '../audit/entry.js';

/** The latest apply of the fleet, and each agent's latest, as the audit log records them. */
export interface LastApplies {
  fleet?: { time: string; result: string };
  agents: Map<string, { time: string; result: string }>;
}

/**
 * From the audit log's text, whoever applied (the CLI, CI, watch --apply, the dashboard's
 * sync): the last `apply` entry and each agent's last `agent.apply`. Lines are parsed only
 * when they can be one of those, since the log also holds a secret read per command.
 */
export function lastApplies(text: string): LastApplies {
  const out: LastApplies = { agents: new Map() };
  for (const line of text.split('\n')) {
    if (!line.includes('"action":"apply"') && !line.includes('"action":"agent.apply"')) continue;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      continue; // a torn line is `audit verify`'s to report
    }
    if (e.action === 'apply') out.fleet = { time: e.time, result: e.result };
    // A sync the dashboard refused (agent.apply, refused) applied nothing.
    else if (e.action === 'agent.apply' && e.result !== 'refused') out.agents.set(e.target, { time: e.time, result: e.result });
  }
  return out;
}
