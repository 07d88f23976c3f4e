import type { Operation } from 'fast-json-patch';
import type { ApprovedAction, BaselineOptOut, Violation } from '../policy/violation.js';
import type { ConfigCheck } from '../openclaw/config-check.js';
import type { CronJob } from '../validate/manifests.js';

/**
 * The plan: a typed, versioned, serialisable data model. `plan --json` prints it, `plan
 * --out` saves it, `apply FILE` carries it out, and the text renderer is built from it.
 * Secret values never enter it: .env entries appear only as keyed hashes.
 */
export const PLAN_FORMAT_VERSION = '1.6';

export type FileAction = 'create' | 'update' | 'delete';

export interface ConfigAction {
  type: 'config';
  action: FileAction;
  /** RFC 6902 patch from the host's openclaw.json to the desired one. */
  patch: Operation[];
  /** The host's value at each replaced or removed path, so a reader sees old → new. */
  previous: Record<string, unknown>;
  mode?: { from: string | null; to: string };
  /** Why the host's file could not be read as JSON, when it could not. */
  parseError?: string;
}

export interface EnvEntryChange {
  name: string;
  action: 'add' | 'change' | 'remove';
  /** `(sensitive, sha256:…)` renderings, never values. */
  before?: string;
  after?: string;
}

export interface EnvAction {
  type: 'env';
  action: FileAction;
  entries: EnvEntryChange[];
  mode?: { from: string | null; to: string };
}

export interface VersionAction {
  type: 'version';
  action: 'create' | 'update';
  from: string | null;
  to: string;
}

/**
 * Delete the .env.clawctl-prev an interrupted apply left: it served only that apply's rollback,
 * and would keep rotated-out secrets on the host for good.
 */
export interface DropOldEnvAction {
  type: 'drop-old-env';
  action: 'delete';
}

/** The gateway's systemd unit, written whole (it holds no secret, so the plan carries it) and enabled. */
export interface ServiceAction {
  type: 'service';
  action: 'create' | 'update';
  service: 'systemd-user' | 'systemd';
  unit: string;
  /** Where it goes: home-relative for the user's units, absolute for the system's. */
  path: string;
  content: string;
}

export interface RestartAction {
  type: 'restart';
  service: string;
  reason: string;
}

/**
 * An agent that left the fleet: its gateway is stopped and its state dir moved aside
 * (`<dir>.clawctl-removed-<time>`), kept for a person to delete, never deleted outright.
 */
export interface DestroyAction {
  type: 'destroy';
  service: string;
}

/**
 * An adopted agent (one clawctl did not create, see AgentPlan.adopt) that left the fleet: only
 * its ownership marker is removed. Its state dir and gateway stay as they are, now unmanaged
 * (Argo CD's orphaning rather than pruning; Terraform's "forget").
 */
export interface ForgetAction {
  type: 'forget';
}

/** One cron job of OpenClaw's state that apply adds, changes or removes, by name as spec.cron names it. */
export interface CronJobChange {
  name: string;
  action: 'add' | 'change' | 'remove';
  /** OpenClaw's id of the job changed or removed. */
  id?: string;
  /** The job as it is, in spec.cron's words; absent on add, or when spec.cron cannot express it (`unlike` says why). */
  before?: CronJob;
  unlike?: string;
  /** The job as the manifest says it (add, change). */
  after?: CronJob;
  /** OpenClaw's edit keeps a time zone it is not given, so unsetting one removes the job and adds it again. */
  replace?: boolean;
}

/**
 * spec.cron against OpenClaw's own cron state: jobs the manifest names, and jobs clawctl added
 * that it no longer names. OpenClaw changes jobs only through its running gateway.
 */
export interface CronAction {
  type: 'cron';
  jobs: CronJobChange[];
  /** Why apply cannot make these changes yet (the gateway is not running, nor started by this apply). */
  waits?: string;
}

export type PlannedAction = ConfigAction | EnvAction | DropOldEnvAction | ServiceAction | VersionAction | RestartAction | DestroyAction | ForgetAction | CronAction;

/** The observation gate on a host (observer-gate.ts): installed, brought up to date, or removed. */
export interface ObserverAction {
  type: 'observer';
  action: 'create' | 'update' | 'delete';
  /** SHA256:… of the observation key (not on delete). */
  key?: string;
  /** The gate's version: a digest of its scripts, its key line and the hash key it hashes with. */
  version?: string;
  /** Whether apply writes the key's line into ~/.ssh/authorized_keys. */
  authorizedKeys?: boolean;
}

/**
 * OpenClaw and its Node, installed by clawctl in the host user's home beside the versions
 * already there, from a bundle streamed over the host's connection, then made current.
 */
export interface OpenclawInstallAction {
  type: 'openclaw';
  action: 'create' | 'update';
  /** The version on the host's PATH now, clawctl's or another install's. */
  from: string | null;
  to: string;
  /** The Node it runs on, and the machine it is for (Node's names: x64, arm64). */
  node: string;
  arch: string;
  /** Already unpacked beside the current one (an interrupted apply, a switch back): only the link moves. */
  unpacked: boolean;
  /**
   * A downgrade: OpenClaw migrates its state forward only, so each agent's state is restored
   * from the newest backup `to` made (before the upgrade), the current state kept aside.
   */
  restore: boolean;
}

/**
 * An EC2 instance clawctl creates for a Host (before its bootstrap and agents), found again by
 * its tags clawctl:fleet and clawctl:host.
 */
export interface Ec2CreateAction {
  type: 'ec2';
  action: 'create';
  region: string;
  instanceType: string;
  /** An AMI id, or the SSM public parameter path apply reads one from. */
  ami: string;
  subnet: string;
  securityGroups: string[];
  rootVolumeGiB: number;
  tags: Record<string, string>;
  /** The host key's public half, pinned before the instance exists, and its SHA256 fingerprint. */
  hostKey: string;
  hostKeyFingerprint: string;
  /** Where its private half is kept (a secretRef, rendered `file#key`): delivered in the user data. */
  hostKeySecret: string;
  /** The tailnet it joins: its hostname and tags, and where its auth key comes from. */
  tailnet?: { hostname: string; tags: string[]; authKey: 'minted' | string };
}

/** An instance of the fleet whose Host left it (or that no Host declares): apply terminates it. */
export interface Ec2TerminateAction {
  type: 'ec2';
  action: 'delete';
  region: string;
  instanceType: string;
  instanceId: string;
}

export type Ec2InstanceAction = Ec2CreateAction | Ec2TerminateAction;

export type HostAction = OpenclawInstallAction | ObserverAction | Ec2InstanceAction;

/** A canary wave: its hosts (their own setup and their agents) go together, then soak. */
export interface PlanWave {
  name: string;
  hosts: string[];
  /** How long its agents must stay ready before the next wave starts. */
  soakSeconds: number;
}

/** What a host itself needs, apart from its agents. */
export interface HostPlan {
  host: string;
  actions: HostAction[];
}

export interface AgentPlan {
  agent: string;
  host: string;
  stateDir: string;
  actions: PlannedAction[];
  /**
   * This apply takes over an installation clawctl did not make (no ownership marker, files
   * there): its marker records it as adopted. `as-is`: the host already matches the manifest,
   * and apply only adds clawctl's own entries (the marker, OPENCLAW_CONFIG_READONLY), without
   * a restart; that is no change to the fleet (plan exits 0). `with-changes`: it also changes
   * what the manifest says.
   */
  adopt?: 'as-is' | 'with-changes';
}

export interface UnreachableHost {
  host: string;
  error: string;
  hint?: string;
  agents: string[];
}

/** Agents counted as Terraform counts resources (an agent is one), then what they take on the hosts. */
export interface PlanSummary {
  /** Agents new on their host (every file created), changed, and removed. */
  add: number;
  change: number;
  destroy: number;
  /** Files written or deleted (openclaw.json, .env) over all agents, and hosts that get an OpenClaw install. */
  files: number;
  versions: number;
  /** Hosts whose own setup changes besides an OpenClaw install (the observation gate). */
  hosts: number;
  /** Agents adopted as they are (AgentPlan.adopt `as-is`): not counted in add or change. */
  adopt: number;
  /** Adopted agents that left the fleet: no longer managed, left running. */
  forget: number;
  /** EC2 instances to create for new Hosts, and to terminate for Hosts that left the fleet (absent: none). */
  instancesCreate?: number;
  instancesTerminate?: number;
}

export interface Plan {
  format_version: typeof PLAN_FORMAT_VERSION;
  clawctl_version: string;
  created_at: string;
  fleet: { name: string; dir: string };
  /** Only agents with something to do. */
  changes: AgentPlan[];
  /** Only hosts whose own setup changes; apply does these before the host's agents. */
  hosts: HostPlan[];
  /** The order apply goes in: every host with changes in exactly one wave. */
  waves: PlanWave[];
  unreachable: UnreachableHost[];
  summary: PlanSummary;
  /**
   * Agents that left the fleet, on the hosts observed, whose removal this plan leaves out
   * because it is limited to some agents (-l, or --target AGENT): only a whole host prunes.
   */
  removals_not_planned?: number;
  /** Per agent in scope: whether OpenClaw's own `config validate` ran, at which version, and what it said. */
  config_checks: ConfigCheck[];
  /** Policy on the desired state and on this plan: any violation means nothing is applied (exit 3). */
  policy: PlanPolicy;
  /** What the plan was made from and what it will write: apply refuses a saved plan when any differs. */
  fingerprint: PlanFingerprint;
}

export interface PlanFingerprint {
  /** SHA-256 over every file of the fleet directory (manifests, config files, SOPS files). */
  fleet: string;
  /** Each of those files' SHA-256 by path, to name what changed. */
  files: Record<string, string>;
  /** Per agent: the host's files and version as observed. */
  agents: Record<string, string>;
  /** Per agent with changes: keyed digests of exactly what apply will write. */
  writes: Record<string, WriteDigest>;
}

export interface WriteDigest {
  config?: string;
  env?: string;
  version?: string;
  restart?: string;
  cron?: string;
}

export interface PlanPolicy {
  violations: Violation[];
  /** Baseline rules a Policy turned off: listed on every plan, so the opt-out stays visible. */
  optOuts: BaselineOptOut[];
  /** Actions that needed approval and got it (`apply --approve`). */
  approved: ApprovedAction[];
}

/** Whether the hosts differ from the fleet: an agent adopted as it is does not count. */
export function hasChanges(plan: Pick<Plan, 'changes' | 'hosts'>): boolean {
  return plan.hosts.length > 0 || plan.changes.some((c) => c.adopt !== 'as-is');
}

/** Whether apply has anything to do, adoptions included. */
export function hasWork(plan: Pick<Plan, 'changes' | 'hosts'>): boolean {
  return plan.changes.length > 0 || plan.hosts.length > 0;
}

export function summarize(changes: readonly AgentPlan[], hosts: readonly HostPlan[]): PlanSummary {
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, files: 0, versions: 0, hosts: 0, adopt: 0, forget: 0 };
  const installs = new Set<string>();
  for (const h of hosts) {
    if (h.actions.some((a) => a.type === 'openclaw')) installs.add(h.host);
    if (h.actions.some((a) => a.type === 'observer')) summary.hosts++;
    for (const a of h.actions) {
      const counter = a.type === 'ec2' ? (a.action === 'create' ? 'instancesCreate' : 'instancesTerminate') : undefined;
      if (counter) summary[counter] = (summary[counter] ?? 0) + 1;
    }
  }
  for (const { actions, host, adopt } of changes) {
    if (adopt === 'as-is') {
      summary.adopt++;
      continue;
    }
    // A restart is how a change takes effect, not a change of its own.
    const work = actions.filter((a): a is Exclude<PlannedAction, RestartAction> => a.type !== 'restart');
    if (work.some((a) => a.type === 'forget')) summary.forget++;
    else if (work.some((a) => a.type === 'destroy')) summary.destroy++;
    // An agent is new when its files are; its cron jobs come with it.
    else if (work.some((a) => a.type !== 'cron') && work.every((a) => a.type !== 'destroy' && a.type !== 'forget' && (a.type === 'cron' || a.action === 'create'))) summary.add++;
    else summary.change++;
    summary.files += work.filter((a) => a.type === 'config' || a.type === 'env' || a.type === 'service' || a.type === 'drop-old-env').length;
    if (work.some((a) => a.type === 'version')) installs.add(host);
  }
  // One install per host: its agents share it.
  summary.versions = installs.size;
  return summary;
}

/** `3 agents to add, 0 to change, 0 to destroy (6 files to write)`: the plan's count in words. */
export function summaryText(s: PlanSummary): string {
  const agents = `${s.add} ${s.add === 1 ? 'agent' : 'agents'} to add, ${s.change} to change, ${s.destroy} to destroy${s.forget > 0 ? `, ${s.forget} to forget` : ''}${s.adopt > 0 ? `, ${s.adopt} to adopt as ${s.adopt === 1 ? 'it is' : 'they are'}` : ''}`;
  const takes = [
    s.instancesCreate ? `${s.instancesCreate} EC2 ${s.instancesCreate === 1 ? 'instance' : 'instances'} to create` : '',
    s.instancesTerminate ? `${s.instancesTerminate} EC2 ${s.instancesTerminate === 1 ? 'instance' : 'instances'} to terminate` : '',
    s.files > 0 ? `${s.files} ${s.files === 1 ? 'file' : 'files'} to write` : '',
    s.versions > 0 ? `${s.versions} OpenClaw ${s.versions === 1 ? 'install' : 'installs'}` : '',
    s.hosts > 0 ? `${s.hosts} ${s.hosts === 1 ? 'host' : 'hosts'} to set up` : '',
  ].filter(Boolean);
  return takes.length > 0 ? `${agents} (${takes.join(', ')})` : agents;
}
