import { acquireLock, describeHolder, lockPath, type LockHolder } from '../apply/lock.js';
import { applyPlan, type ApplyOptions } from '../apply/apply-plan.js';
import { EC2_BOOT_SECONDS } from '../aws/ec2-defaults.js';
import { locateEc2Hosts } from '../observe/locate-ec2.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { ConnectionPool } from '../connection/pool.js';
import { clawctlStateDir } from '../load/repo-root.js';
import { observe } from '../observe/observe.js';
import { hasWork, type Plan } from '../plan/plan.js';
import { staleness } from '../plan/stale-check.js';
import { makePlan } from '../plan/make-plan.js';
import { savedPlanDifferences } from '../plan/saved-plan-check.js';
import { ClawctlError } from '../util/errors.js';
import { checkConfigs, loadDesired, planFleet, type PlanOptions, type PlanRun } from './fleet-run.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/entry.js';
import { planHash } from '../plan/plan-hash.js';
import { observesThroughGate } from '../observe/observer-gate.js';
import { enforcePolicy, planPolicy } from './policy-check.js';

/**
 * Hold the fleet's apply lock for the whole of fn: every command that changes hosts runs under
 * it. With `takeOverStale`, a lock left by a process that died on this machine is taken over
 * and the break audited there (watch --apply); otherwise it is refused, naming `clawctl unlock`.
 */
export async function withFleetLock<T>(fleetDir: string, command: string, fn: () => Promise<T>, opts: { takeOverStale?: AuditSink } = {}): Promise<T> {
  if (observesThroughGate()) {
    throw new ClawctlError('CLAWCTL_OBSERVER=1: this run holds only the observation key, which can change nothing', [
      {
        message: `${command} changes hosts; the hosts accept the observation key only for clawctl's facts script`,
        hint: 'run it where the full SSH key is (the apply workflow, in the fleet environment), without CLAWCTL_OBSERVER',
      },
    ]);
  }
  const audit = opts.takeOverStale;
  const stateDir = clawctlStateDir(fleetDir);
  const release = await acquireLock(stateDir, command, {
    ...(audit
      ? { onStaleTakeover: (held: LockHolder) => audit.record([{ action: 'lock.break', target: lockPath(stateDir), result: 'taken-over', details: { holder: describeHolder(held), by: command } }]) }
      : {}),
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Apply a saved plan exactly: re-observe what it would touch, derive the plan again from the
 * fleet and the hosts as they are now, and carry it out only if it is the saved one (same
 * fleet files, same host state, same actions, same digests of what will be written).
 * `verified` runs once it is, before anything is changed (the command shows the plan then).
 */
export async function applySavedPlan(plan: Plan, opts: PlanOptions, verified: () => void): Promise<ApplyResult> {
  const { fleetDir, concurrency, hooks } = opts;
  const { manifests, desired } = await loadDesired(fleetDir, { secrets: true, decrypt: true, audit: opts.audit, purpose: 'apply' });
  const touched = new Set(plan.changes.map((c) => c.agent));
  const agents = desired.agents.filter((a) => touched.has(a.name));
  // Hosts with agents to change, and EC2 hosts the plan creates (perhaps with no agent yet).
  const planned = new Set([...plan.changes.map((c) => c.host), ...plan.hosts.filter((h) => h.actions.some((a) => a.type === 'ec2' && a.action === 'create')).map((h) => h.host)]);
  const located = await locateEc2Hosts(desired, { ...desired, agents, hosts: desired.hosts.filter((h) => planned.has(h.name)) });
  const narrowed = located.desired;
  const hosts = narrowed.hosts;
  const terminating = new Set(plan.hosts.flatMap((h) => h.actions.flatMap((a) => (a.type === 'ec2' && a.action === 'delete' ? [a.instanceId] : []))));
  const undeclaredInstances = located.undeclared.filter((i) => terminating.has(i.instanceId));
  const pool = new ConnectionPool();
  try {
    const observed = await observe(narrowed, hosts, pool, { concurrency, hooks });
    const configChecks = await checkConfigs(manifests, narrowed, observed, opts);
    const stale = staleness(plan, desired.fleet, observed);
    const removing = new Set(plan.changes.filter((c) => c.actions.some((a) => a.type === 'destroy' || a.type === 'forget')).map((c) => c.host));
    const prune = { hosts: removing, fleetAgents: new Set(desired.agents.map((a) => a.name)) };
    const fresh = makePlan(narrowed, observed, { fleetDir, clawctlVersion: opts.clawctlVersion, now: new Date(), prune, configChecks, undeclaredInstances });
    const differs = [...stale, ...savedPlanDifferences(plan, fresh)];
    if (differs.length > 0) {
      throw new ClawctlError('the saved plan does not match the fleet and hosts as they are now; nothing was applied', differs);
    }
    verified();
    // Policy is checked now, against today's policies and this run's approvals.
    await enforcePolicy({ ...plan, policy: await planPolicy(manifests, narrowed, plan, opts.approvals) }, opts.audit);
    await started(opts.audit, plan);
    checkUntil(plan, opts.until);
    return await recorded(opts.audit, plan, await applyPlan(plan, narrowed, observed, pool, { hooks, until: opts.until, ec2: ec2Options(opts) }));
  } finally {
    await pool.closeAll();
  }
}

/**
 * Plan under the lock, let the caller approve, then apply that same plan. `planned` sees the
 * run as soon as it is made, even when policy then refuses it (watch alerts on what it saw).
 */
export async function planThenApply(opts: PlanOptions, approve: (run: PlanRun) => Promise<boolean>, planned?: (run: PlanRun) => void): Promise<{ plan: Plan; result?: ApplyResult }> {
  const run = await planFleet(opts);
  planned?.(run);
  try {
    if (!hasWork(run.plan)) return { plan: run.plan };
    await enforcePolicy(run.plan, opts.audit);
    checkUntil(run.plan, opts.until);
    if (!(await approve(run))) return { plan: run.plan };
    await started(opts.audit, run.plan);
    const result = await recorded(opts.audit, run.plan, await applyPlan(run.plan, run.desired, run.observed, run.pool, { hooks: opts.hooks, until: opts.until, ec2: ec2Options(opts) }));
    return { plan: run.plan, result };
  } finally {
    await run.pool.closeAll();
  }
}

/** What apply needs to create EC2 hosts: the fleet's secrets, the audit log, how long one may take to boot. */
function ec2Options(opts: PlanOptions): NonNullable<ApplyOptions['ec2']> {
  const boot = Number(process.env.CLAWCTL_EC2_BOOT_SECONDS);
  return { fleetDir: opts.fleetDir, audit: opts.audit, bootSeconds: Number.isFinite(boot) && boot > 0 ? boot : EC2_BOOT_SECONDS };
}

/**
 * Written before anything is changed (write-ahead): an apply killed midway has already said
 * which agents and hosts it was changing, so none of its changes is missing from the log.
 */
async function started(audit: AuditSink, plan: Plan): Promise<void> {
  const agents = [...new Set(plan.changes.map((c) => c.agent))];
  const hosts = [...new Set([...plan.changes.map((c) => c.host), ...plan.hosts.map((h) => h.host)])];
  await audit.record([{ action: 'apply.start', target: plan.fleet.name, result: 'started', planHash: planHash(plan), details: { agents: agents.join(','), hosts: hosts.join(',') } }]);
}

/** `--until` must name a wave of the plan: a typo would otherwise apply every wave. */
function checkUntil(plan: Plan, until: string | undefined): void {
  if (until === undefined || plan.waves.some((w) => w.name === until)) return;
  throw new ClawctlError(`--until ${until} names no wave of this plan; nothing was applied`, [
    { message: `the plan's waves are: ${plan.waves.map((w) => w.name).join(', ')}`, hint: "name one of them (the Fleet's spec.rollout.waves)" },
  ]);
}

/** Every apply and each agent's and host's outcome go to the audit log, tied to the plan by its hash. */
async function recorded(audit: AuditSink, plan: Plan, result: ApplyResult): Promise<ApplyResult> {
  const hash = planHash(plan);
  await audit.record([
    ...result.agents.map(
      (a): AuditRecord => ({
        action: 'agent.apply',
        target: a.agent,
        result: a.ok ? 'ok' : a.rolledBack ? 'rolled-back' : 'failed',
        planHash: hash,
        details: { host: a.host, done: a.done.join(',') },
      }),
    ),
    ...result.hosts.map(
      (h): AuditRecord => ({
        action: 'host.apply',
        target: h.host,
        result: h.ok ? 'ok' : 'failed',
        planHash: hash,
        details: { done: h.done.join(',') },
      }),
    ),
    { action: 'apply', target: plan.fleet.name, result: result.status, planHash: hash, details: { agents: result.agents.length, hosts: result.hosts.length, skipped: result.skipped.length } },
  ]);
  return result;
}
