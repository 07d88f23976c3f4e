import { auditStore } from '../audit/audit-log.js';
import { queryLog } from '../audit/query.js';
import { verifyLog } from '../audit/verify.js';
import { refusalAudit } from '../dashboard/refusals.js';
import { startDashboardServer } from '../dashboard/server.js';
import { errorSnapshot, makeSnapshot, type DashboardSnapshot } from '../dashboard/snapshot.js';
import type { AuditMode } from '../audit/audit-log.js';
import { ClawctlError } from '../util/errors.js';
import type { PlanOptions } from './fleet-run.js';
import { observeStatus } from './status-run.js';
import { reconcileLoop } from './reconcile-loop.js';
import { recordHealth } from '../history/health-history.js';
import { restartAgent } from './restart-run.js';

export interface DashboardOptions {
  plan: PlanOptions;
  auditMode: AuditMode;
  host: string;
  port: number;
  token?: string;
  intervalSeconds: number;
  /** Offer `agents restart` on the page, behind a confirmation (off: read-only). */
  actions: boolean;
  signal: AbortSignal;
  onReady(url: string): void;
  onSnapshot(snapshot: DashboardSnapshot): void;
  /** Something the operator should know that is not worth stopping for (an audit write that failed). */
  onWarning(message: string): void;
}

/**
 * Serve the dashboard while the reconcile loop keeps its snapshot current: observed afresh
 * at start, on every change under fleet/ and every interval (level-based, like watch). The
 * page polls the snapshot; the audit log is read on each request, so it is never stale.
 */
export async function runDashboard(opts: DashboardOptions): Promise<{ url: string; cycles: number }> {
  let current: DashboardSnapshot | undefined;
  const store = auditStore(opts.plan.fleetDir, opts.auditMode);
  const auditRefusal = refusalAudit(opts.plan.audit);
  const server = await startDashboardServer({
    host: opts.host,
    port: opts.port,
    ...(opts.token ? { token: opts.token } : {}),
    api: {
      snapshot: () => current,
      audit: async (filter) => {
        const text = await store.read();
        return { entries: queryLog(text, filter), verify: verifyLog(text) };
      },
      ...(opts.actions ? { restart: (agent: string) => restartAgent({ fleetDir: opts.plan.fleetDir, agent, audit: opts.plan.audit }) } : {}),
      // The refusal stands either way; a failed write goes to the operator, not to the requester.
      refused: (r) => auditRefusal(r).catch((err: Error) => opts.onWarning(`could not audit a refused restart of ${r.agent} (${r.reason}, from ${r.remote}): ${err.message}`)),
    },
  });
  opts.onReady(server.url);
  try {
    const { cycles } = await reconcileLoop(opts.plan.fleetDir, opts.intervalSeconds, opts.signal, async () => {
      try {
        const { agents, run } = await observeStatus(opts.plan);
        current = { ...makeSnapshot(run, agents, opts.intervalSeconds, new Date()), actions: opts.actions };
        await recordHealth(opts.plan.fleetDir, agents, new Date(run.plan.created_at)).catch((err: Error) => opts.onWarning(`could not add this cycle to the health history: ${err.message}`));
      } catch (err) {
        if (!(err instanceof ClawctlError)) throw err;
        current = errorSnapshot(current?.fleet ?? opts.plan.fleetDir, { message: err.message, diagnostics: err.diagnostics }, opts.intervalSeconds, new Date());
      }
      opts.onSnapshot(current);
    });
    return { url: server.url, cycles };
  } finally {
    await server.close();
  }
}
