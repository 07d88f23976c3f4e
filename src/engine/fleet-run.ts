import { ConnectionPool } from '../connection/pool.js';
import type { DesiredState } from '../desired/desired-state.js';
import { renderDesired } from '../desired/render.js';
import { loadFleet } from '../load/load-fleet.js';
import { observe } from '../observe/observe.js';
import type { ObservedState } from '../observe/observed-state.js';
import { makePlan } from '../plan/make-plan.js';
import type { Plan } from '../plan/plan.js';
import { ClawctlError } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';
import { validateFleet } from '../validate/validate-fleet.js';
import { checkOpenclawConfigs, configCheckErrors, type ConfigCheck } from '../openclaw/config-check.js';
import { resolveSecrets, type ResolvedSecrets } from '../secrets/resolve.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { BudgetStanding } from '../policy/budget.js';
import { budgetCheck, hasBudgets, planPolicy } from './policy-check.js';
import type { EngineHooks } from './hooks.js';
import { inShard, type Shard } from './shard.js';
import { locateEc2Hosts, type Ec2Located } from '../observe/locate-ec2.js';
import type { Ec2Instance } from '../aws/ec2.js';

/** Which agents a command acts on: `--target NAME` (agent or host), `-l key=value` and `--shard I/N`. */
export interface Scope {
  targets: string[];
  selector: Record<string, string>;
  /** Only the hosts of this shard (shard.ts), and their agents. */
  shard?: Shard;
}

export interface Desired {
  manifests: Manifests;
  desired: DesiredState;
}

/**
 * load → validate → (resolve secrets) → render. No host is touched. With `secrets`, .env
 * values come from the fleet's hash record (plan, views) or, with `decrypt`, are decrypted
 * (apply); validate needs neither.
 */
export async function loadDesired(fleetDir: string, opts: { secrets: false } | { secrets: true; decrypt: boolean; audit: AuditSink; purpose: string }, cwd = process.cwd()): Promise<Desired> {
  const loaded = await loadFleet(fleetDir, cwd);
  const manifests = await validateFleet(loaded, cwd);
  let secrets: ResolvedSecrets | undefined;
  if (opts.secrets) {
    secrets = await resolveSecrets(fleetDir, manifests, { decrypt: opts.decrypt });
    await opts.audit.record(secrets.locations.map((target) => ({ action: 'secret.read', target, result: 'ok', details: { for: opts.purpose } })));
  }
  return { manifests, desired: renderDesired(loaded, manifests, secrets) };
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
  /**
   * OpenClaw's own config check: `enforce` makes a config it refuses an error (plan, apply;
   * views such as status only report it); `require` makes a check that could not run one too.
   */
  openclawCheck: { enforce: boolean; require: boolean };
  /** `apply --until WAVE`: stop after that canary wave. */
  until?: string;
  /** Read each agent's usage cost (the views do); without it, only when a Policy sets a budget. */
  cost?: boolean;
}

/**
 * OpenClaw's own check of every config in scope, at the pinned version or the one installed
 * on the agent's host; a refused config (and with `require`, an unchecked one) is an error.
 */
export async function checkConfigs(manifests: Manifests, desired: DesiredState, observed: ObservedState | undefined, opts: Pick<PlanOptions, 'openclawCheck' | 'hooks'>): Promise<ConfigCheck[]> {
  const hostVersions = observed ? new Map(observed.hosts.map((h) => [h.host, h.ok ? h.openclaw.version : undefined])) : undefined;
  const checks = await checkOpenclawConfigs(manifests, desired, {
    ...(hostVersions ? { hostVersions } : {}),
    onFetch: (version, dir) => opts.hooks.emit({ type: 'openclaw-fetch', version, dir }),
  });
  const err = opts.openclawCheck.enforce ? configCheckErrors(checks, opts.openclawCheck.require) : undefined;
  if (err) throw err;
  return checks;
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
