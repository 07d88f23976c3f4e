import type { JsonObject } from '../util/json.js';
import type { Sensitive } from '../util/sensitive.js';
import type { CronJob, Ec2Spec, IgnoreRule, ServiceKind, WaveSpec } from '../validate/manifests.js';
import type { DesiredObserver } from '../observe/observer-gate.js';
import type { Ec2Instance } from '../aws/ec2.js';

/** How clawctl reaches a host. */
export type Connection =
  | { kind: 'ssh'; address: string; port: number; user: string; hostKey: string; identityFile?: string }
  | { kind: 'ssm'; instanceId: string; region: string; user: string }
  | { kind: 'local'; home: string };

export interface DesiredHost {
  name: string;
  labels: Record<string, string>;
  connection: Connection;
  service: ServiceKind;
  /** How long one command on the host may run (the Fleet's commandTimeoutSeconds). */
  commandTimeoutSeconds: number;
  /** The OpenClaw version its agents pin (validate makes them agree): clawctl installs it there. */
  openclawVersion?: string;
  /**
   * An EC2 instance clawctl creates: its connection is SSH to an address observation finds
   * (empty until then), with the host key pinned in the manifest.
   */
  ec2?: DesiredEc2;
}

export interface DesiredEc2 extends Omit<Ec2Spec, 'tags' | 'rootVolumeGiB' | 'port'> {
  tags: Record<string, string>;
  rootVolumeGiB: number;
  /** The device's hostname when it joins the tailnet (spec.tailscale), and its tags. */
  tailscale?: { hostname: string; tags: string[] };
  /** What observation found of its instance (locate-ec2.ts), before the host is observed over SSH. */
  found?: Ec2HostState;
}

/** Where an EC2 Host stands before it is observed over SSH (observe/observe-ec2.ts finds it). */
export type Ec2HostState =
  /** Its instance runs: observed over SSH at this address, as any host. */
  | { kind: 'running'; host: DesiredHost; instance: Ec2Instance }
  /** No instance yet: planned as created, from nothing. */
  | { kind: 'absent' }
  /** An instance is there but cannot be managed now (starting, stopped, twice, no address…). */
  | { kind: 'problem'; error: string; hint: string };

export interface DesiredAgent {
  name: string;
  host: string;
  role?: string;
  labels: Record<string, string>;
  profile?: string;
  /** State dir relative to the host's home. */
  stateDir: string;
  /** The pinned OpenClaw version, if the fleet pins one. */
  version?: string;
  port: number;
  config: JsonObject;
  /** .env entries, every value sensitive. */
  env: Record<string, Sensitive>;
  ignore: IgnoreRule[];
  /** spec.cron: OpenClaw's cron jobs this agent's gateway must hold (absent: none declared). */
  cron?: CronJob[];
}

export interface DesiredState {
  fleet: { name: string; contentHash: string; files: Record<string, string>; key: string };
  rollout: { maxUnavailable: number; healthTimeoutSeconds: number; waves: WaveSpec[] };
  /** The fleet's observation key, when its spec.observer names one: every host gets its gate. */
  observer?: DesiredObserver;
  hosts: DesiredHost[];
  agents: DesiredAgent[];
}
