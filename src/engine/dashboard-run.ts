import { auditStore } from '../audit/audit-log.js';
import { queryLog } from '../audit/query.js';
import { verifyLog } from '../audit/verify.js';
import { lastApplies } from '../dashboard/last-apply.js';
import { FleetMetrics } from '../dashboard/metrics.js';
import { cloudwatchFigures } from '../dashboard/cloudwatch-figures.js';
import { putFigures } from '../aws/cloudwatch.js';
import { refusalAudit } from '../dashboard/refusals.js';
import { secretAccessFor } from '../dashboard/secret-access.js';
import { startDashboardServer, type ActionOutcome } from '../dashboard/server.js';
import { errorSnapshot, makeSnapshot, type DashboardSnapshot } from '../dashboard/snapshot.js';
import type { AuditMode } from '../audit/audit-log.js';
import { ClawctlError } from '../util/errors.js';
import type { PlanOptions } from './fleet-run.js';
import { observeStatus } from './status-run.js';
import { reconcileLoop } from './reconcile-loop.js';
import { healthChart } from '../history/health-buckets.js';
import { readHealth, recordHealth } from '../history/health-history.js';
import { agentLogs } from '../agents/logs-run.js';
import { restartAgent } from '../agents/restart-run.js';
import { syncAgent } from './sync-run.js';

/** Bars in an agent's health chart, whatever the window. */
const CHART_BUCKETS = 48;

export interface DashboardOptions {
  plan: PlanOptions;
  auditMode: AuditMode;
  host: string;
  port: number;
  token?: string;
  intervalSeconds: number;
  /** Offer `agents restart` and sync (apply one agent) on the page, behind a confirmation (off: read-only). */
  actions: boolean;
  signal: AbortSignal;
  onReady(url: string): void;
  onSnapshot(snapshot: DashboardSnapshot): void;
  /** Also put each cycle's figures to CloudWatch (PutMetricData) under this namespace (CLAWCTL_CLOUDWATCH_NAMESPACE). */
  cloudwatchNamespace?: string;
  /** Something the operator should know that is not worth stopping for (an audit write that failed). */
  onWarning(message: string): void;
}

/**
 * Serve the dashboard while the reconcile loop keeps its snapshot current: observed afresh
 * at start, on every change under fleet/ and every interval (level-based, like watch), and
 * right after each action. The page polls the snapshot; the audit log is read on each
 * request, so it is never stale. /metrics gives each cycle's figures to Prometheus.
 */
export async function runDashboard(opts: DashboardOptions): Promise<{ url: string; cycles: number }> {
  let current: DashboardSnapshot | undefined;
  const store = auditStore(opts.plan.fleetDir, opts.auditMode);
  const auditRefusal = refusalAudit(opts.plan.audit);
  const metrics = new FleetMetrics();
  const known = (agent: string) => {
    const a = current?.agents.find((x) => x.status.agent === agent);
    if (!a) throw new ClawctlError(`no agent named ${agent} in the dashboard's fleet`, []);
    return a;
  };

  /** One observation: the snapshot, the health history, the metrics. */
  const observeFleet = async () => {
    const started = performance.now();
    try {
      const { agents, run } = await observeStatus(opts.plan);
      // Recorded before it is shown, so the page's chart already holds the cycle it shows.
      await recordHealth(opts.plan.fleetDir, agents, new Date(run.plan.created_at)).catch((err: Error) => opts.onWarning(`could not add this cycle to the health history: ${err.message}`));
      current = { ...makeSnapshot(run, agents, opts.intervalSeconds, new Date()), actions: opts.actions };
    } catch (err) {
      if (!(err instanceof ClawctlError)) throw err;
      current = errorSnapshot(current?.fleet ?? opts.plan.fleetDir, { message: err.message, diagnostics: err.diagnostics }, opts.intervalSeconds, new Date());
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.observe(current, seconds);
    const namespace = opts.cloudwatchNamespace;
    if (namespace)
      await putFigures(namespace, cloudwatchFigures(current, seconds), new Date(current.observedAt)).catch((err: Error) =>
        opts.onWarning(`could not put this cycle's figures to CloudWatch (namespace ${namespace}): ${err.message}`),
      );
    const agents = current.agents.map((a) => a.status.agent);
    await store.read().then(
      (text) => metrics.applies(lastApplies(text), agents),
      (err: Error) => opts.onWarning(`could not read the audit log for the last applies' metrics: ${err.message}`),
    );
    opts.onSnapshot(current);
  };
  // Cycles run one at a time, whoever asks (the loop, an action): the last one to end is the newest.
  let queue: Promise<void> = Promise.resolve();
  const observeNow = (): Promise<void> => {
    const next = queue.then(observeFleet);
    queue = next.catch(() => undefined);
    return next;
  };
  /** An action, then the fleet observed again, so the page shows the outcome and the agent's new state at once. */
  const thenObserve = async <T extends object>(act: () => Promise<T>): Promise<ActionOutcome<T>> => {
    let outcome: T;
    try {
      outcome = await act();
    } finally {
      await observeNow().catch((err: Error) => opts.onWarning(`could not observe the fleet after an action: ${err.message}`));
    }
    return { ...outcome, ...(current ? { observedAt: current.observedAt } : {}) };
  };

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
      metrics: () => metrics.page(),
      history: async (agent, windowMs) => {
        known(agent);
        const until = new Date();
        const since = new Date(until.getTime() - windowMs);
        return healthChart(await readHealth(opts.plan.fleetDir, since), agent, since, until, CHART_BUCKETS);
      },
      secretAccess: async (agent) => {
        const refs = known(agent).secretRefs;
        return refs.length === 0
          ? []
          : secretAccessFor(queryLog(await store.read(), { action: 'secret' }), refs)
              .reverse()
              .slice(0, 100);
      },
      logs: async (agent, lines, onLine, signal) => {
        known(agent);
        await agentLogs({ fleetDir: opts.plan.fleetDir, agent, source: 'auto', lines, follow: { onLine, signal } });
      },
      ...(opts.actions
        ? {
            // Only agents this dashboard shows (its --target and -l scope), as its page offers them.
            restart: (agent: string) =>
              thenObserve(() => {
                known(agent);
                return restartAgent({ fleetDir: opts.plan.fleetDir, agent, audit: opts.plan.audit });
              }),
            sync: (agent: string) =>
              thenObserve(() => {
                known(agent);
                return syncAgent(opts.plan, agent);
              }),
          }
        : {}),
      // The refusal stands either way; a failed write goes to the operator, not to the requester.
      refused: (r) => auditRefusal(r).catch((err: Error) => opts.onWarning(`could not audit a refused ${r.action} of ${r.agent} (${r.reason}, from ${r.remote}): ${err.message}`)),
    },
  });
  opts.onReady(server.url);
  try {
    const { cycles } = await reconcileLoop(opts.plan.fleetDir, opts.intervalSeconds, opts.signal, observeNow);
    return { url: server.url, cycles };
  } finally {
    await server.close();
  }
}
