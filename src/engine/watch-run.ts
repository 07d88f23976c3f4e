import type { ApplyResult } from '../apply/apply-result.js';
import type { Plan } from '../plan/plan.js';
import { ClawctlError, ExitCode, type Diagnostic } from '../util/errors.js';
import { withFleetLock, planThenApply } from './apply-run.js';
import { planFleet, type PlanOptions } from './fleet-run.js';
import { reconcileLoop, type WatchTrigger } from './reconcile-loop.js';

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
}

export interface WatchOptions {
  plan: PlanOptions;
  intervalSeconds: number;
  /** Apply what each cycle plans (Flux's and Argo CD's automated sync with self-heal). */
  apply: boolean;
  signal: AbortSignal;
  onCycle(cycle: WatchCycle): void;
}

/**
 * The reconcile loop. Level-based: every cycle plans from scratch (the fleet files as they
 * are, every host observed again), whatever woke it. A failed cycle is reported and the loop
 * goes on; the signal ends it between cycles.
 */
export async function watchFleet(opts: WatchOptions): Promise<{ cycles: number }> {
  return reconcileLoop(opts.plan.fleetDir, opts.intervalSeconds, opts.signal, async (n, trigger) => opts.onCycle(await cycle(n, trigger, opts)));
}

async function cycle(n: number, trigger: WatchTrigger, opts: WatchOptions): Promise<WatchCycle> {
  const base = { cycle: n, trigger, at: new Date().toISOString() };
  try {
    if (!opts.apply) {
      const run = await planFleet(opts.plan);
      await run.pool.closeAll();
      const plan = run.plan;
      const outcome = plan.policy.violations.length > 0 ? 'refused' : plan.unreachable.length > 0 ? 'error' : plan.changes.length > 0 ? 'drift' : 'in-sync';
      return { ...base, outcome, plan };
    }
    const { plan, result } = await withFleetLock(opts.plan.fleetDir, 'clawctl watch --apply', () => planThenApply(opts.plan, async () => true));
    if (!result) return { ...base, outcome: plan.unreachable.length > 0 ? 'error' : 'in-sync', plan };
    return { ...base, outcome: result.status === 'applied' ? 'applied' : result.status === 'partial' ? 'partial' : 'error', plan, apply: result };
  } catch (err) {
    if (!(err instanceof ClawctlError)) throw err;
    return { ...base, outcome: err.exitCode === ExitCode.policy ? 'refused' : 'error', error: { message: err.message, diagnostics: err.diagnostics } };
  }
}
