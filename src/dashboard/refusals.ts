import type { AuditSink } from '../audit/audit-log.js';

/** Why the dashboard refused an action: its Host, its token, its Origin, no typed confirmation, no CSRF token, or actions off. */
export type RefusalReason = 'host' | 'token' | 'origin' | 'confirmation' | 'csrf' | 'actions-off';

/** The dashboard's actions: `agents restart`, and sync (an apply of one agent). */
export type DashboardAction = 'restart' | 'sync';

export interface Refusal {
  action: DashboardAction;
  /** The agent named in the request's path. */
  agent: string;
  reason: RefusalReason;
  /** The peer's address as the socket saw it (no forwarding header is trusted). */
  remote: string;
  /** The Host or Origin the request claimed, when that was the reason; never a token. */
  host?: string;
  origin?: string;
}

const WINDOW_MS = 60_000;
const MAX_KEYS = 1000;

/**
 * Audits refused actions with result "refused": a restart as agent.restart, a sync as
 * agent.apply (what it would have been). A hostile page can
 * repeat a request without end and each entry is a write (a commit and push with --audit git),
 * so one reason from one address is recorded at most once a minute; the refusals skipped in
 * between are counted on its next entry (`repeats`).
 */
export function refusalAudit(audit: AuditSink, now: () => number = Date.now): (r: Refusal) => Promise<void> {
  const seen = new Map<string, { at: number; repeats: number }>();
  return async (r) => {
    const key = `${r.reason} ${r.remote}`;
    const t = now();
    const last = seen.get(key);
    if (last && t - last.at < WINDOW_MS) {
      last.repeats++;
      return;
    }
    if (seen.size >= MAX_KEYS) for (const [k, v] of seen) if (t - v.at >= WINDOW_MS) seen.delete(k);
    seen.set(key, { at: t, repeats: 0 });
    const claimed = { ...(r.host !== undefined ? { host: r.host.slice(0, 200) } : {}), ...(r.origin !== undefined ? { origin: r.origin.slice(0, 200) } : {}) };
    await audit.record([
      {
        action: r.action === 'sync' ? 'agent.apply' : 'agent.restart',
        target: r.agent.slice(0, 100),
        result: 'refused',
        details: { reason: r.reason, remote: r.remote, ...claimed, ...(last?.repeats ? { repeats: last.repeats } : {}) },
      },
    ]);
  };
}
