import type { HostConnection } from '../connection/connection.js';
import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredHost, DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../events/hooks.js';
import { indexObserved, type ObservedIndex, type ObservedState } from '../observe/observed-state.js';
import { serviceUnitName } from '../openclaw/paths.js';
import { hasWork, type AgentPlan, type Ec2CreateAction, type Ec2TerminateAction, type HostPlan, type Plan, type PlanWave } from '../plan/plan.js';
import { indexBy } from '../util/index-by.js';
import { applyAgent } from './apply-agent.js';
import { applyHost, switchBack, unpackVersion, type HostStepContext } from './apply-host.js';
import type { AgentApplyResult, ApplyResult, HostApplyResult, WaveResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';
import { deadlineFor, restartArgv, waitReadyArgv } from './host-scripts.js';
import { forgetAgent, removeAgent } from './remove-agent.js';
import { provisionHost, terminateHost, type ProvisionContext, type Provisioned } from './provision-ec2.js';

export interface ApplyOptions {
  hooks: EngineHooks;
  /** What creating EC2 instances needs: the fleet's directory (its SOPS secrets) and the audit log. */
  ec2?: Pick<ProvisionContext, 'fleetDir' | 'audit' | 'bootSeconds'>;
  /** Stop after this wave (`apply --until`): a person looks before the rest goes. */
  until?: string;
}

/** How often a soaking wave's agents are asked whether they are still ready. */
const SOAK_CHECK_SECONDS = 5;

/**
 * Wave by wave (the plan's canary waves; one wave when the fleet sets none). New OpenClaw
 * versions are first unpacked on every host, beside the running one. Then each wave: its hosts'
 * own setup (backups, the version switch, the observation gate), its agents in batches of
 * maxUnavailable, each health-gated and rolled back on failure, then the soak, during which
 * they must stay ready. A failed wave is rolled back (its hosts switched back to the version
 * they ran, their gateways restarted and checked), and no later wave starts.
 */
export async function applyPlan(plan: Plan, desired: DesiredState, observed: ObservedState, pool: ConnectionPool, opts: ApplyOptions): Promise<ApplyResult> {
  if (!hasWork(plan)) return { status: 'nothing-to-do', agents: [], hosts: [], waves: [], skipped: [] };
  // New EC2 hosts first: created, running and reached with their pinned key before anything else.
  const made = await createInstances(plan, desired, pool, opts);
  const run = new Rollout(plan, made.desired, indexObserved(observed), pool, opts.hooks);
  run.hostResults.push(...made.results);
  const failedToMake = made.results.filter((r) => !r.ok).map((r) => r.host);
  const unpacked = await Promise.all(plan.hosts.filter((h) => !terminatesOnly(h) && !failedToMake.includes(h.host)).map((h) => run.onHost(h.host, (ctx) => unpackVersion(h, ctx))));
  run.hostResults.push(...unpacked.filter((r) => !r.ok || r.done.length > 0));
  const broken = new Set([...failedToMake, ...unpacked.filter((r) => !r.ok).map((r) => r.host)]);
  let stop = false;
  for (const wave of wavesOf(plan)) {
    if (stop) {
      run.markSkipped(wave);
      continue;
    }
    const result = await run.wave(wave, broken);
    run.waves.push(result);
    stop = result.status === 'failed';
    if (!stop && opts.until === wave.name) {
      run.heldAfter = wave.name;
      stop = true;
    }
  }
  await terminateUnhealthy(made.results, run.hostResults, opts.hooks);
  // Hosts that left the fleet go once the rest of the plan is in place.
  if (!stop) for (const h of plan.hosts.filter(terminatesOnly)) run.hostResults.push(await terminateLeft(h, opts.hooks));
  return run.result();
}

/** A plan of a host that only terminates its instance: its Host left the fleet; it has no connection. */
function terminatesOnly(h: HostPlan): boolean {
  return h.actions.length > 0 && h.actions.every((a) => a.type === 'ec2' && a.action === 'delete');
}

async function terminateLeft(h: HostPlan, hooks: EngineHooks): Promise<HostApplyResult> {
  const a = h.actions[0] as Ec2TerminateAction;
  return terminateHost(h.host, a.region, a.instanceId, hooks);
}

/**
 * Create each new EC2 host's instance, in parallel; a host whose instance could not be made or
 * reached is a failed result (its instance terminated), and its agents are skipped.
 */
async function createInstances(plan: Plan, desired: DesiredState, pool: ConnectionPool, opts: ApplyOptions): Promise<{ desired: DesiredState; results: HostApplyResult[] }> {
  const creates = plan.hosts.flatMap((h) => h.actions.filter((a): a is Ec2CreateAction => a.type === 'ec2' && a.action === 'create').map((a) => [h.host, a] as const));
  if (creates.length === 0) return { desired, results: [] };
  const ec2 = opts.ec2;
  const hosts = indexBy(desired.hosts, (h) => h.name);
  const outcomes = await Promise.all(
    creates.map(async ([name, action]): Promise<Provisioned> => {
      const host = hosts.get(name);
      if (!ec2 || !host?.ec2) return { ok: false, result: { host: name, ok: false, done: [], error: `host ${name}: this command does not create EC2 instances; run clawctl apply` } };
      return provisionHost(host, action, { ...ec2, fleet: desired.fleet.name, hooks: opts.hooks, pool });
    }),
  );
  const reached = new Map(outcomes.flatMap((o) => (o.ok ? [[o.host.name, o.host] as const] : [])));
  return { desired: { ...desired, hosts: desired.hosts.map((h) => reached.get(h.name) ?? h) }, results: outcomes.map((o) => o.result) };
}

/**
 * An instance this apply created whose own setup (its OpenClaw install, its observation gate)
 * then failed never became a healthy host: it is terminated, so nothing is left half-made.
 */
async function terminateUnhealthy(created: HostApplyResult[], all: HostApplyResult[], hooks: EngineHooks): Promise<void> {
  for (const made of created.filter((r) => r.ok && r.instance)) {
    const failed = all.find((r) => r !== made && r.host === made.host && !r.ok);
    if (!failed) continue;
    const gone = await terminateHost(made.host, made.instance!.region, made.instance!.id, hooks);
    made.instance!.terminated = gone.ok;
    failed.error = `${failed.error ?? 'its setup failed'}; instance ${made.instance!.id} never became a healthy host: ${gone.ok ? 'it was terminated' : `terminating it failed too (${gone.error}): terminate it by hand`}`;
    // The host was not made after all: its creation counts as failed too.
    made.ok = false;
    made.error = `host ${made.host}: instance ${made.instance!.id} was created, but its setup failed`;
  }
}

/** The plan's waves, with any host whose changes no wave lists (a hand-made plan) in a last one. */
function wavesOf(plan: Plan): PlanWave[] {
  const listed = new Set(plan.waves.flatMap((w) => w.hosts));
  const stray = [...new Set([...plan.hosts.filter((h) => !terminatesOnly(h)).map((h) => h.host), ...plan.changes.map((c) => c.host)])].filter((h) => !listed.has(h));
  return stray.length > 0 ? [...plan.waves, { name: 'unlisted', hosts: stray, soakSeconds: 0 }] : plan.waves;
}

class Rollout {
  readonly hostResults: HostApplyResult[] = [];
  readonly agentResults: AgentApplyResult[] = [];
  readonly waves: WaveResult[] = [];
  readonly skipped: string[] = [];
  heldAfter: string | undefined;
  private readonly hosts: Map<string, DesiredHost>;
  private readonly agents: Map<string, DesiredState['agents'][number]>;

  constructor(
    private readonly plan: Plan,
    private readonly desired: DesiredState,
    private readonly seen: ObservedIndex,
    private readonly pool: ConnectionPool,
    private readonly hooks: EngineHooks,
  ) {
    this.hosts = indexBy(desired.hosts, (h) => h.name);
    this.agents = indexBy(desired.agents, (a) => a.name);
  }

  /** Run fn on a host's connection; a host that cannot be reached is a failed result. */
  async onHost(host: string, fn: (ctx: HostStepContext) => Promise<HostApplyResult>): Promise<HostApplyResult> {
    const conn = await this.pool.get(this.hosts.get(host)!).catch((err: Error) => err);
    if (conn instanceof Error) return { host, ok: false, done: [], error: conn.message };
    return fn(this.context(host, conn));
  }

  private context(host: string, conn: HostConnection): HostStepContext {
    const existing = this.desired.agents.filter((a) => a.host === host && this.seen.agents.get(a.name)?.config);
    const h = this.hosts.get(host)!;
    return { conn, desired: this.desired, existing, seconds: h.commandTimeoutSeconds, hooks: this.hooks, service: h.service, healthTimeoutSeconds: this.desired.rollout.healthTimeoutSeconds };
  }

  markSkipped(wave: PlanWave): void {
    this.waves.push({ name: wave.name, hosts: wave.hosts, status: 'skipped' });
    this.skipped.push(...this.plan.changes.filter((c) => wave.hosts.includes(c.host)).map((c) => c.agent));
  }

  async wave(wave: PlanWave, broken: ReadonlySet<string>): Promise<WaveResult> {
    const inWave = (host: string) => wave.hosts.includes(host);
    const hostPlans = this.plan.hosts.filter((h) => inWave(h.host) && !broken.has(h.host));
    const setups = await Promise.all(hostPlans.map((h) => this.onHost(h.host, (ctx) => applyHost(h, ctx))));
    this.hostResults.push(...setups);
    const down = new Set([...broken, ...setups.filter((r) => !r.ok).map((r) => r.host)]);
    const changes = this.plan.changes.filter((c) => inWave(c.host));
    this.skipped.push(...changes.filter((c) => down.has(c.host)).map((c) => c.agent));
    const results = await this.agentsInBatches(changes.filter((c) => !down.has(c.host)));
    this.agentResults.push(...results);
    const failure = [...setups, ...results].find((r) => !r.ok)?.error ?? (wave.hosts.some((h) => broken.has(h)) ? `a host of the wave could not be given its new version` : undefined);
    const soakFailure = failure ? undefined : await this.soak(wave, results);
    const error = failure ?? soakFailure;
    if (!error) return { name: wave.name, hosts: wave.hosts, status: 'applied' };
    await this.rollBack(hostPlans, setups);
    return { name: wave.name, hosts: wave.hosts, status: 'failed', error };
  }

  /** The fleet's maxUnavailable at a time; after a failed batch, the rest of the wave is skipped. */
  private async agentsInBatches(changes: AgentPlan[]): Promise<AgentApplyResult[]> {
    const size = this.desired.rollout.maxUnavailable;
    const out: AgentApplyResult[] = [];
    for (let i = 0; i < changes.length; i += size) {
      const batch = changes.slice(i, i + size);
      if (out.some((r) => !r.ok)) {
        this.skipped.push(...batch.map((b) => b.agent));
        continue;
      }
      out.push(...(await Promise.all(batch.map((c) => this.applyOne(c)))));
    }
    return out;
  }

  private async applyOne(agentPlan: AgentPlan): Promise<AgentApplyResult> {
    const host = this.hosts.get(agentPlan.host)!;
    const conn = await this.pool.get(host).catch((err: Error) => err);
    if (conn instanceof Error) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: conn.message };
    if (agentPlan.actions.some((a) => a.type === 'forget')) return forgetAgent(agentPlan, conn, this.desired.fleet.name, this.hooks, host.commandTimeoutSeconds);
    if (agentPlan.actions.some((a) => a.type === 'destroy')) return removeAgent(agentPlan, conn, host, this.hooks, this.desired.rollout.healthTimeoutSeconds);
    const agent = this.agents.get(agentPlan.agent)!;
    const agentObs = this.seen.agents.get(agentPlan.agent);
    if (!agentObs) return { agent: agentPlan.agent, host: agentPlan.host, ok: false, done: [], error: `host ${agentPlan.host} was not observed` };
    return applyAgent(agentPlan, {
      fleet: this.desired.fleet.name,
      conn,
      host,
      desired: agent,
      observed: agentObs,
      healthTimeoutSeconds: this.desired.rollout.healthTimeoutSeconds,
      hooks: this.hooks,
    });
  }

  /** The wave's applied agents must stay ready for soakSeconds: asked every few seconds. */
  private async soak(wave: PlanWave, results: AgentApplyResult[]): Promise<string | undefined> {
    if (wave.soakSeconds <= 0) return undefined;
    const watched = results
      .filter((r) => r.ok && r.done.includes('health'))
      .map((r) => this.agents.get(r.agent))
      .filter((a) => a !== undefined);
    this.hooks.emit({ type: 'wave-soak', wave: wave.name, seconds: wave.soakSeconds, agents: watched.map((a) => a.name) });
    const end = Date.now() + wave.soakSeconds * 1000;
    while (Date.now() < end) {
      for (const agent of watched) {
        const conn = await this.pool.get(this.hosts.get(agent.host)!).catch(() => undefined);
        const res = conn ? await execWithin(conn, waitReadyArgv(agent.port, SOAK_CHECK_SECONDS), deadlineFor(SOAK_CHECK_SECONDS)) : undefined;
        if (res?.code !== 0) return `${agent.name} stopped being ready while wave ${wave.name} soaked${res ? `: ${res.stdout.trim().split('\n').at(-1) ?? ''}` : ''}`;
      }
      await new Promise((r) => setTimeout(r, Math.min(SOAK_CHECK_SECONDS * 1000, Math.max(0, end - Date.now()))));
    }
    return undefined;
  }

  /**
   * A failed wave's hosts go back to the version they ran, which is still unpacked beside the
   * new one, and their gateways get a fresh process on it and are health-checked. Agents'
   * files were already rolled back by the agent that failed.
   */
  private async rollBack(hostPlans: HostPlan[], setups: HostApplyResult[]): Promise<void> {
    for (const setup of setups) {
      const from = setup.switchedFrom;
      if (!from || !setup.done.some((d) => d.startsWith('openclaw '))) continue;
      if (!hostPlans.some((h) => h.host === setup.host)) continue;
      // Backups taken by this apply mean the new version may have run on (and migrated) the state.
      const back = await this.onHost(setup.host, (ctx) => switchBack(setup.host, from, (setup.backups ?? []).length > 0, ctx));
      if (!back.ok) {
        setup.error = `${setup.error ? `${setup.error}; ` : ''}switching back to OpenClaw ${from} failed: ${back.error}`;
        continue;
      }
      setup.switchedBackTo = from;
      await this.restartOnVersion(setup.host);
    }
  }

  /** Every agent of the host that ran before apply gets a fresh process, and must be ready again. */
  private async restartOnVersion(hostName: string): Promise<void> {
    const host = this.hosts.get(hostName)!;
    if (host.service === 'none') return;
    const conn = await this.pool.get(host).catch(() => undefined);
    if (!conn) return;
    const limit = this.desired.rollout.healthTimeoutSeconds;
    for (const agent of this.desired.agents.filter((a) => a.host === hostName && this.seen.agents.get(a.name)?.health.state === 'ready')) {
      const unit = serviceUnitName(agent.profile);
      const restarted = await execWithin(
        conn,
        restartArgv({ service: host.service, unit, stateDir: agent.stateDir, profile: agent.profile, port: agent.port, mode: 'fresh', limitSeconds: limit }),
        deadlineFor(limit),
      );
      const ready = restarted.code === 0 ? await execWithin(conn, waitReadyArgv(agent.port, limit), deadlineFor(limit)) : restarted;
      const result = this.agentResults.find((r) => r.agent === agent.name);
      if (result) result.healthyAfterRollback = ready.code === 0;
      this.hooks.emit({ type: 'action-done', agent: agent.name, action: 'restart on the previous version', ok: ready.code === 0 });
    }
  }

  result(): ApplyResult {
    const outcomes = [...this.hostResults, ...this.agentResults];
    const failed = outcomes.filter((r) => !r.ok).length;
    const status = failed === 0 ? 'applied' : failed === outcomes.length ? 'failed' : 'partial';
    return { status, agents: this.agentResults, hosts: this.hostResults, waves: this.waves, ...(this.heldAfter ? { heldAfter: this.heldAfter } : {}), skipped: this.skipped };
  }
}
