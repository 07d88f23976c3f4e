import type { DesiredState } from '../desired/desired-state.js';
import { diffAgent } from '../diff/diff-agent.js';
import { diffHost } from '../diff/diff-host.js';
import { MANAGED_ENV } from '../openclaw/managed-env.js';
import type { ObservedState } from '../observe/observed-state.js';
import type { ConfigCheck } from '../openclaw/config-check.js';
import { groupBy, indexBy } from '../util/index-by.js';
import { PLAN_FORMAT_VERSION, summarize, type AgentPlan, type HostPlan, type Plan, type PlannedAction, type UnreachableHost, type WriteDigest } from './plan.js';
import { writeDigest } from './write-digest.js';
import { planWaves } from './waves.js';
import { writeContents } from '../diff/write-contents.js';
import { ec2CreateAction, ec2TerminateAction } from '../diff/diff-ec2.js';
import type { Ec2Instance } from '../aws/ec2.js';

export interface PlanContext {
  fleetDir: string;
  clawctlVersion: string;
  now: Date;
  /**
   * Where agents that left the fleet are planned for removal: the hosts in scope as a whole
   * (every host, or those named by --target), and the names of every agent the fleet has.
   */
  prune: { hosts: ReadonlySet<string>; fleetAgents: ReadonlySet<string> };
  /** What OpenClaw's own config check said of each agent in scope. */
  configChecks: ConfigCheck[];
  /** Instances of the fleet no Host declares, in the prune scope: planned to be terminated. */
  undeclaredInstances?: readonly Ec2Instance[];
}

/**
 * What adopting an installation as it is takes: clawctl's own .env entries (MANAGED_ENV) and
 * its file modes, nothing the manifest says differently. Anything more is a change.
 */
function adoptsAsIs(actions: readonly PlannedAction[]): boolean {
  return actions.every((a) => {
    if (a.type === 'restart') return true;
    if (a.type === 'config') return a.action === 'update' && a.patch.length === 0;
    if (a.type === 'env') return a.action === 'update' && a.entries.every((e) => e.action === 'add' && e.name in MANAGED_ENV);
    return false;
  });
}

/**
 * Pure (changesets-style): desired × observed → plan. Agents of an unreachable host are not
 * planned; they are listed so the user sees what was left out and why.
 */
export function makePlan(desired: DesiredState, observed: ObservedState, ctx: PlanContext): Plan {
  const changes: AgentPlan[] = [];
  const hostPlans: HostPlan[] = [];
  const unreachable: UnreachableHost[] = [];
  const fingerprints: Record<string, string> = {};
  const writes: Record<string, WriteDigest> = {};
  let removalsSkipped = 0;
  const hosts = indexBy(desired.hosts, (h) => h.name);
  const agents = indexBy(desired.agents, (a) => a.name);
  const agentsOf = groupBy(desired.agents, (a) => a.host);
  for (const obs of observed.hosts) {
    const host = hosts.get(obs.host)!;
    if (!obs.ok) {
      const names = (agentsOf.get(obs.host) ?? []).map((a) => a.name);
      unreachable.push({ host: obs.host, error: obs.error, ...(obs.hint ? { hint: obs.hint } : {}), agents: names });
      continue;
    }
    // The install its agents need whenever one of them is in scope; the observation gate,
    // like pruning, only when the whole host is.
    const whole = ctx.prune.hosts.has(host.name);
    const needed = whole || (agentsOf.get(host.name) ?? []).length > 0 ? host : { ...host, openclawVersion: undefined };
    const hostActions = diffHost(needed, whole ? desired.observer : undefined, whole ? obs : { ...obs, observer: undefined });
    if ('error' in hostActions) {
      // A host that cannot be set up runs none of its agents: nothing of it is planned.
      unreachable.push({ host: obs.host, ...hostActions, agents: (agentsOf.get(obs.host) ?? []).map((a) => a.name) });
      continue;
    }
    const create = host.ec2?.found?.kind === 'absent' ? [ec2CreateAction(host)] : [];
    if (create.length + hostActions.length > 0) hostPlans.push({ host: host.name, actions: [...create, ...hostActions] });
    const { user, home } = obs.platform;
    const account = user && home ? { user, home } : undefined;
    for (const agentObs of obs.agents) {
      const agent = agents.get(agentObs.name)!;
      if (agentObs.links) {
        // A link the host's user planted could send a write anywhere they choose: not planned.
        const what = agentObs.links.length === 1 ? `${agentObs.links[0]} is a symbolic link` : `${agentObs.links.join(' and ')} are symbolic links`;
        unreachable.push({
          host: obs.host,
          error: `host ${obs.host}: ${what}; clawctl never reads or writes an agent's files through a link`,
          hint: 'on the host, replace the link with a real directory or file (or remove it), then plan again',
          agents: [agent.name],
        });
        continue;
      }
      fingerprints[agent.name] = agentObs.fingerprint;
      let actions = diffAgent(agent, host, agentObs, obs.openclaw.version, account);
      if (actions.length === 0) continue;
      // Files there but no marker: clawctl takes over what someone else made (import).
      const adopting = !obs.managed.some((m) => m.stateDir === agent.stateDir) && (agentObs.config !== null || agentObs.env !== null);
      const asIs = adopting && adoptsAsIs(actions);
      // Adopted as it is, the gateway keeps running: the read-only flag is read at its next restart.
      if (asIs) actions = actions.filter((a) => a.type !== 'restart');
      changes.push({ agent: agent.name, host: host.name, stateDir: agent.stateDir, actions, ...(adopting ? { adopt: asIs ? 'as-is' : 'with-changes' } : {}) });
      writes[agent.name] = writeDigest(actions, writeContents(agent, agentObs), desired.fleet.key);
    }
    // Left the fleet: marked by this fleet's apply, no longer declared, its dir not reused.
    // Outside the prune scope (a label selector) they are only counted, so the plan can say so.
    const used = new Set((agentsOf.get(host.name) ?? []).map((a) => a.stateDir));
    for (const m of obs.managed) {
      if (m.fleet !== desired.fleet.name || ctx.prune.fleetAgents.has(m.agent) || used.has(m.stateDir)) continue;
      if (!ctx.prune.hosts.has(host.name)) removalsSkipped++;
      // An adopted agent is only forgotten: clawctl removes nothing it did not make.
      else changes.push({ agent: m.agent, host: host.name, stateDir: m.stateDir, actions: [m.adopted ? { type: 'forget' } : { type: 'destroy', service: host.service }] });
    }
  }
  for (const i of ctx.undeclaredInstances ?? []) hostPlans.push({ host: i.host, actions: [ec2TerminateAction(i)] });
  return {
    format_version: PLAN_FORMAT_VERSION,
    clawctl_version: ctx.clawctlVersion,
    created_at: ctx.now.toISOString(),
    fleet: { name: desired.fleet.name, dir: ctx.fleetDir },
    changes,
    hosts: hostPlans,
    waves: planWaves(
      desired.rollout.waves,
      desired.hosts.filter((h) => hostPlans.some((p) => p.host === h.name) || changes.some((c) => c.host === h.name)),
    ),
    unreachable,
    summary: summarize(changes, hostPlans),
    ...(removalsSkipped > 0 ? { removals_not_planned: removalsSkipped } : {}),
    config_checks: ctx.configChecks,
    policy: { violations: [], optOuts: [], approved: [] },
    fingerprint: { fleet: desired.fleet.contentHash, files: desired.fleet.files, agents: fingerprints, writes },
  };
}
