import { ConnectionPool } from '../connection/pool.js';
import type { DesiredState } from '../desired/desired-state.js';
import { observe } from '../observe/observe.js';
import type { ObservedState } from '../observe/observed-state.js';
import { makePlan } from '../plan/make-plan.js';
import type { Plan } from '../plan/plan.js';
import { ClawctlError } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { BudgetStanding } from '../policy/budget.js';
import { budgetCheck, hasBudgets, planPolicy } from './policy-check.js';
import type { EngineHooks } from '../events/hooks.js';
import { inShard, type Shard } from './shard.js';
import { checkConfigs, loadDesired, type OpenclawCheckMode } from './desired-run.js';
import { locateEc2Hosts, type Ec2Located } from '../observe/locate-ec2.js';
import type { Ec2Instance } from '../aws/ec2.js';

// validate loads desired-run.js alone: not the observe, diff and plan code below.
export { checkConfigs, loadDesired, type Desired } from './desired-run.js';

/** Which agents a command acts on: `--target NAME` (agent or host), `-l key=value` and `--shard I/N`. */
export interface Scope {
  targets: string[];
  selector: Record<string, string>;
  /** Only the hosts of this shard (shard.ts), and their agents. */
  shard?: Shard;
}

/** Narrow desired state to the scope; an unknown target is an error, not an empty plan. */
export function scoped(desired: DesiredState, scope: Scope): DesiredState {
  for (const t of scope.targets) {
    if (!desired.agents.some((a) => a.name === t) && !desired.hosts.some((h) => h.name === t)) {
      throw new ClawctlError(`no agent or host named ${t}`, [
        {
          message: `${t}: the fleet has no agent or host of that name`,
          hint: `agents: ${desired.agents.map((a) => a.name).join(', ') || '(none)'}; hosts: ${desired.hosts.map((h) => h.name).join(', ') || '(none)'}`,
        },
      ]);
    }
  }
  const agents = desired.agents.filter(
    (a) =>
      inShard(a.host, scope.shard) &&
      (scope.targets.length === 0 || scope.targets.includes(a.name) || scope.targets.includes(a.host)) &&
      Object.entries(scope.selector).every(([k, v]) => a.labels[k] === v),
  );
  // Hosts with agents in scope, and those in scope as a whole (where pruning looks too).
  const hostNames = new Set([...agents.map((a) => a.host), ...pruneHosts(desired, scope)]);
  return { ...desired, agents, hosts: desired.hosts.filter((h) => hostNames.has(h.name)) };
}

/**
 * Hosts in scope as a whole, where agents that left the fleet are planned for removal: every
 * host for the whole fleet, the hosts --target names, none under a label selector (an agent
 * that left has no labels left to select it by).
 */
export function pruneHosts(desired: DesiredState, scope: Scope): string[] {
  if (Object.keys(scope.selector).length > 0) return [];
  const all = desired.hosts.map((h) => h.name).filter((h) => inShard(h, scope.shard));
  return scope.targets.length === 0 ? all : all.filter((h) => scope.targets.includes(h));
}

/**
 * Instances of the fleet that no Host declares are terminated where pruning sees the whole
 * fleet (no -l, no --target), shard by shard; elsewhere they are left alone.
 */
export function instancesToTerminate(located: Ec2Located, scope: Scope, prune: boolean): Ec2Instance[] {
  if (!prune || Object.keys(scope.selector).length > 0 || scope.targets.length > 0) return [];
  return located.undeclared.filter((i) => inShard(i.host, scope.shard));
}

export interface PlanRun {
  plan: Plan;
  manifests: Manifests;
  desired: DesiredState;
  observed: ObservedState;
  pool: ConnectionPool;
  /** Per agent, the budgets that apply to it and where it stands (empty without budget rules). */
  budgets: Map<string, BudgetStanding[]>;
}

export interface PlanOptions {
  fleetDir: string;
  scope: Scope;
  concurrency: number;
  hooks: EngineHooks;
  clawctlVersion: string;
  audit: AuditSink;
  /** `apply --approve <policy>/<rule>`: plan rules that need approval and have it. */
  approvals: string[];
  /** Why secrets are read, for the audit log: the command (plan, status, watch…); values are only hashed. */
  purpose: string;
  /** Decrypt every secret (apply), rather than take their recorded hashes (plan and the views). */
  decrypt: boolean;
  /** Plan the removal of agents that left the fleet (watch --apply does only with --prune, as Argo CD and Flux). */
  prune: boolean;
  /** OpenClaw's own config check, and how its verdicts count. */
  openclawCheck: OpenclawCheckMode;
  /** `apply --until WAVE`: stop after that canary wave. */
  until?: string;
  /** Read each agent's usage cost (the views do); without it, only when a Policy sets a budget. */
  cost?: boolean;
}

/** What a plan saw and decided, its connections closed. */
export type PlannedFleet = Omit<PlanRun, 'pool'>;

/** Plan, then close every connection it opened: for what only looks (plan, status, watch, propose). */
export async function planOnly(opts: PlanOptions): Promise<PlannedFleet> {
  const { pool, ...planned } = await planFleet(opts);
  await pool.closeAll();
  return planned;
}

/** The shared path of plan and apply: desired, observed, diffed. The caller closes the pool. */
export async function planFleet(opts: PlanOptions): Promise<PlanRun> {
  const { manifests, desired: full } = await loadDesired(opts.fleetDir, { secrets: true, decrypt: opts.decrypt, audit: opts.audit, purpose: opts.purpose });
  const located = await locateEc2Hosts(full, scoped(full, opts.scope));
  const desired = located.desired;
  const pool = new ConnectionPool();
  try {
    const cost = opts.cost === true || hasBudgets(manifests);
    const observed = await observe(desired, desired.hosts, pool, { concurrency: opts.concurrency, hooks: opts.hooks, cost });
    const prune = { hosts: new Set(opts.prune ? pruneHosts(full, opts.scope) : []), fleetAgents: new Set(full.agents.map((a) => a.name)) };
    const configChecks = await checkConfigs(manifests, desired, observed, opts);
    const plan = makePlan(desired, observed, {
      fleetDir: opts.fleetDir,
      clawctlVersion: opts.clawctlVersion,
      now: new Date(),
      prune,
      configChecks,
      undeclaredInstances: instancesToTerminate(located, opts.scope, opts.prune),
    });
    // A shard is planned alone but judged with the whole fleet: a rule over all agents (a count,
    // a budget) must not pass because each shard holds only part of them.
    plan.policy = await planPolicy(manifests, opts.scope.shard ? full : desired, plan, opts.approvals);
    const budgets = await budgetCheck(manifests, desired, observed, plan);
    return { plan, manifests, desired, observed, pool, budgets };
  } catch (err) {
    await pool.closeAll();
    throw err;
  }
}
