import type { ApplyResult } from '../apply/apply-result.js';
import { hasChanges, type Plan } from '../plan/plan.js';
import { ClawctlError, ExitCode, type Diagnostic } from '../util/errors.js';
import { withFleetLock, planThenApply } from './apply-run.js';
import { planOnly, type PlannedFleet, type PlanOptions } from './fleet-run.js';
import { reconcileLoop, type WatchTrigger } from './reconcile-loop.js';
import { agentStatuses } from './status.js';
import { alerting, type AlertInput, type AlertsReport } from '../alerts/alerting.js';
import { DEFAULT_LOG_LINES, diagnoseAgent } from '../agents/diagnose-run.js';
import { recordHealth } from '../history/health-history.js';

/** One pass of the loop: what was seen, and what was done about it. */
export interface WatchCycle {
  cycle: number;
  trigger: WatchTrigger;
  at: string;
  /** in-sync, drift (changes pending, not applied), applied, partial, refused (policy), error. */
  outcome: 'in-sync' | 'drift' | 'applied' | 'partial' | 'refused' | 'error';
  plan?: Plan;
  apply?: ApplyResult;
  error?: { message: string; diagnostics: Diagnostic[] };
  /** What alerting did this cycle; absent when the fleet has no alert receivers. */
  alerts?: AlertsReport;
  /** Alerting itself failed this cycle (its state file unreadable, say); the loop goes on. */
  alertsError?: string;
  /** The agents' health could not be added to the history in .clawctl/state/health/. */
  historyError?: string;
}

export interface WatchOptions {
  plan: PlanOptions;
  intervalSeconds: number;
  /** Apply what each cycle plans (Flux's and Argo CD's automated sync with self-heal). */
  apply: boolean;
  /** One cycle, then return: for cron and scheduled CI (the alerts state file carries incidents between runs). */
  once: boolean;
  signal: AbortSignal;
  onCycle(cycle: WatchCycle): void;
}

/**
 * The reconcile loop. Level-based: every cycle plans from scratch (the fleet files as they
 * are, every host observed again), whatever woke it. A failed cycle is reported and the loop
 * goes on; the signal ends it between cycles.
 */
export async function watchFleet(opts: WatchOptions): Promise<{ cycles: number; last?: WatchCycle }> {
  // An operator agent's message carries the failing agent's diagnosis, as `clawctl diagnose` gives it.
  const alerts = alerting(opts.plan.fleetDir, opts.plan.audit, (agent) => diagnoseAgent(opts.plan, agent, DEFAULT_LOG_LINES));
  let last: WatchCycle | undefined;
  const run = async (n: number, trigger: WatchTrigger) => {
    last = await alerted(n, trigger, opts, alerts);
    opts.onCycle(last);
  };
  if (opts.once) {
    await run(1, 'start');
    return { cycles: 1, last };
  }
  return { ...(await reconcileLoop(opts.plan.fleetDir, opts.intervalSeconds, opts.signal, run)), ...(last ? { last } : {}) };
}

/** `watch --once`'s exit code: the cycle's, as plan and apply give it; 1 too when an alert could not be sent. */
export function cycleExitCode(c: WatchCycle): ExitCode {
  if (c.outcome === 'error') return ExitCode.error;
  if (c.outcome === 'refused') return ExitCode.policy;
  if (c.outcome === 'partial') return ExitCode.partial;
  return c.alertsError || (c.alerts && (c.alerts.failed.length > 0 || c.alerts.unavailable.length > 0)) ? ExitCode.error : ExitCode.ok;
}

/** A cycle, then what it saw of the agents goes to the health history and to alerting (health, drift, a failed apply, policy). */
async function alerted(n: number, trigger: WatchTrigger, opts: WatchOptions, alerts: ReturnType<typeof alerting>): Promise<WatchCycle> {
  let seen: PlannedFleet | undefined;
  let c = await cycle(n, trigger, opts, (run) => (seen = run));
  const observedAt = seen ? new Date(seen.plan.created_at) : undefined;
  const statuses = seen && observedAt ? agentStatuses(seen.desired, seen.observed, seen.plan, observedAt, seen.budgets) : undefined;
  if (statuses && observedAt)
    c = await recordHealth(opts.plan.fleetDir, statuses, observedAt).then(
      () => c,
      (err: Error) => ({ ...c, historyError: err.message }),
    );
  const input: AlertInput = seen && statuses ? { manifests: seen.manifests, facts: { desired: seen.desired, plan: seen.plan, statuses, ...(c.apply ? { apply: c.apply } : {}) } } : {};
  try {
    const report = await alerts(input);
    return report ? { ...c, alerts: report } : c;
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return { ...c, alertsError: err.message };
  }
}

async function cycle(n: number, trigger: WatchTrigger, opts: WatchOptions, planned: (run: PlannedFleet) => void): Promise<WatchCycle> {
  const base = { cycle: n, trigger, at: new Date().toISOString() };
  try {
    if (!opts.apply) {
      const run = await planOnly(opts.plan);
      planned(run);
      const plan = run.plan;
      const outcome = plan.policy.violations.length > 0 ? 'refused' : plan.unreachable.length > 0 ? 'error' : hasChanges(plan) ? 'drift' : 'in-sync';
      return { ...base, outcome, plan };
    }
    // Unattended: a lock left by a watch or apply that died here is taken over (audited), not waited on forever.
    const { plan, result } = await withFleetLock(opts.plan.fleetDir, 'clawctl watch --apply', () => planThenApply(opts.plan, async () => true, planned), { takeOverStale: opts.plan.audit });
    if (!result) return { ...base, outcome: plan.unreachable.length > 0 ? 'error' : 'in-sync', plan };
    return { ...base, outcome: result.status === 'applied' ? 'applied' : result.status === 'partial' ? 'partial' : 'error', plan, apply: result };
  } catch (err) {
    if (!(err instanceof ClawctlError)) throw err;
    return { ...base, outcome: err.exitCode === ExitCode.policy ? 'refused' : 'error', error: { message: err.message, diagnostics: err.diagnostics } };
  }
}
