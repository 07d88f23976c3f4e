import type { AuditEntry } from './entry.js';

export interface AuditFilter {
  since?: Date;
  agent?: string;
  action?: string;
  actor?: string;
}

/** The entries of a log that match; lines that don't parse are left to `audit verify`. */
export function queryLog(text: string, f: AuditFilter): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      continue;
    }
    if (f.since && new Date(e.time) < f.since) continue;
    // Agent entries name the agent alone (agent.apply) or as agent/NAME (policy decisions).
    if (f.agent && e.target !== f.agent && e.target !== `agent/${f.agent}`) continue;
    if (f.action && e.action !== f.action && !e.action.startsWith(`${f.action}.`)) continue;
    if (f.actor && !e.actor.includes(f.actor)) continue;
    out.push(e);
  }
  return out;
}
