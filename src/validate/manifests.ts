import type { JsonObject } from '../util/json.js';
import type { SourceDoc } from '../load/source-doc.js';
import type { LoadedConfigFile } from '../load/config-file.js';

/** TypeScript shapes of the manifest kinds; schemas/*.schema.json is what enforces them. */

export interface Metadata {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type SecretRef = { sops: string; key: string } | { aws: string; key: string };
export type EnvValue = string | number | boolean | { secretRef: SecretRef };
export type EnvMap = Record<string, EnvValue>;

export interface IgnoreRule {
  file: 'openclaw.json' | '.env';
  jsonPointers: string[];
}

export type ServiceKind = 'systemd-user' | 'systemd' | 'process' | 'none';

/** One entry of Agent.spec.cron (schemas/common.schema.json#/$defs/cronJob). */
export interface CronJob {
  name: string;
  schedule: string;
  tz?: string;
  message: string;
  /** `message` as an agent turn's (`--message`, the default) or a system event's text (`--system-event`). */
  payload?: 'agentTurn' | 'systemEvent';
  agent?: string;
  /** OpenClaw's session target (`--session`); its default for the payload when absent. */
  session?: string;
  enabled?: boolean;
}

/** One canary wave: hosts by label, or up to a share of the hosts with changes. */
export interface WaveSpec {
  name: string;
  selector?: Record<string, string>;
  percent?: number;
  soakSeconds?: number;
}

export interface FleetSpec {
  openclaw?: { version?: string };
  defaults?: { config?: JsonObject; env?: EnvMap; ignoreDifferences?: IgnoreRule[]; service?: ServiceKind };
  rollout?: { maxUnavailable?: number; healthTimeoutSeconds?: number; waves?: WaveSpec[] };
  commandTimeoutSeconds?: number;
  secrets?: { hashKey?: SecretRef };
  /** The observation key (observer-gate.ts): hosts accept it only for the facts script. */
  observer?: { publicKey: string; authorizedKeys?: boolean };
  alerts?: AlertReceiver[];
  alertAfter?: AlertAfter;
}

/** What an alert is about; each incident is sent when it opens and when it resolves. */
export type AlertEventName = 'agent.down' | 'agent.degraded' | 'drift.found' | 'apply.failed' | 'policy.violation' | 'budget.crossed';

/** A value that only the process sending an alert decrypts. */
export interface SecretValue {
  secretRef: SecretRef;
}

/** Flap damping for agent.down and agent.degraded: either bound reached first counts. */
export interface AlertAfter {
  cycles?: number;
  seconds?: number;
}

export interface WebhookReceiver {
  url: string | SecretValue;
}

export interface TelegramReceiver {
  chatId: string | number;
  botToken: SecretValue;
  apiBaseUrl?: string;
}

export interface EmailReceiver {
  smtp: { host: string; port?: number; username?: string; password?: SecretValue };
  from: string;
  to: string[];
}

/** An OpenClaw agent that operates the fleet, reached through its gateway's inbound webhook (POST /hooks/agent). */
export interface AgentHookReceiver {
  /** The gateway's base URL. */
  url: string;
  /** Its `hooks.path`. */
  path?: string;
  /** Its `hooks.token`. */
  token: SecretValue;
  /** The OpenClaw agent id in that gateway that gets the turn. */
  agentId?: string;
}

/** Exactly one of webhook, telegram, email, agent; the schema enforces it. */
export type AlertReceiver = { name: string; selector?: LabelSelector; events?: AlertEventName[]; maxPerMinute?: number } & (
  | { webhook: WebhookReceiver }
  | { telegram: TelegramReceiver }
  | { email: EmailReceiver }
  | { agent: AgentHookReceiver }
);

export interface SshSpec {
  address: string;
  port?: number;
  user: string;
  hostKey: string;
  identityFile?: string;
}

/** A host reached through AWS SSM Run Command; `user` is who the scripts run as (SSM runs as root). */
export interface SsmSpec {
  instanceId: string;
  region: string;
  user: string;
}

/**
 * An EC2 instance clawctl creates (and terminates when the Host leaves the fleet), found again
 * by its tags `clawctl:fleet` and `clawctl:host`: no state file.
 */
export interface Ec2Spec {
  region: string;
  instanceType: string;
  /** An AMI id (ami-…) or an SSM public parameter path (/aws/service/…) that names one. */
  ami: string;
  subnet: string;
  securityGroups: string[];
  tags?: Record<string, string>;
  rootVolumeGiB?: number;
  /** The Unix user first boot creates, that clawctl logs in as and whose home holds the agents. */
  user: string;
  /** The public half of the key clawctl logs in with (first boot authorizes it). */
  authorizedKey: string;
  identityFile?: string;
  port?: number;
  /** The instance's host key, public half: pinned before the instance exists (`clawctl hosts keygen`). */
  hostKey: string;
  /** Its private half, in the fleet's SOPS secrets: delivered in the user data. */
  hostKeySecret: SecretRef;
  /** A pre-authorized tagged Tailscale auth key; without it, one is minted through the Tailscale API. */
  tailscaleAuthKey?: SecretRef;
}

export interface HostSpec {
  ssh?: SshSpec;
  ssm?: SsmSpec;
  provider?: { ec2: Ec2Spec };
  local?: { home: string };
  service?: ServiceKind;
  tailscale?: { hostname?: string; tags?: string[] };
}

export interface AgentSpec {
  host: string;
  role?: string;
  openclaw?: { version?: string; profile?: string; config?: JsonObject; configFile?: string };
  env?: EnvMap;
  cron?: CronJob[];
  capabilities?: string[];
  ignoreDifferences?: IgnoreRule[];
}

/** A Kubernetes-style label selector; an empty or missing one selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/**
 * What a plan does to one agent, as plan rules name it: create (a new agent's files), destroy
 * (a file deleted), config-change / env-change (an existing file changed), secret-rotation (a
 * secretRef'd .env value changed), version-* (OpenClaw installed, upgraded, downgraded), restart.
 */
export type PlanActionKind = 'create' | 'destroy' | 'config-change' | 'env-change' | 'secret-rotation' | 'version-install' | 'version-upgrade' | 'version-downgrade' | 'restart';

/** `paths` (JSON Pointer prefixes) narrows config-change; `env` (names) narrows env-change and secret-rotation. */
export interface PlanActionMatcher {
  action: PlanActionKind;
  paths?: string[];
  env?: string[];
}

export type GatewayBind = 'auto' | 'loopback' | 'lan' | 'tailnet' | 'custom';

/**
 * A spending limit on OpenClaw's own usage cost (USD): the agents it selects are flagged when
 * today's (`daily`) or this month's (`monthly`) spend is over it, and with `blockTierRaise` an
 * apply that raises such an agent's model tier is refused. `models` orders the tiers, cheapest
 * first; see src/policy/budget.ts for what counts as a raise.
 */
/**
 * Pull requests an agent opens need a person's approving review before plan passes on them
 * and before apply applies their merge; see src/policy/human-review.ts.
 */
export interface HumanReviewRule {
  /** GitHub logins that are agents (`*` wildcards); a GitHub App (user type Bot) always is. */
  agents?: string[];
}

export interface BudgetRule {
  selector?: LabelSelector;
  daily?: number;
  monthly?: number;
  models?: string[];
  blockTierRaise?: boolean;
}

/** Exactly one rule kind per rule; the schema enforces it. */
export type PolicyRule = { name: string; message?: string } & (
  | { allowedChannels: string[] }
  | { allowedModels: string[] }
  | { allowedProviders: string[] }
  | { allowedGatewayBinds: GatewayBind[] }
  | { deniedTools: string[] }
  | { requiredLabels: string[] }
  | { openclawVersion: string }
  | { maxMonthlySpendUsd: number }
  | { schema: JsonObject }
  | { denyActions: PlanActionMatcher[] }
  | { requireApproval: PlanActionMatcher[] }
  | { maxAgentsChanged: number }
  | { budget: BudgetRule }
  | { humanReview: HumanReviewRule }
);

export type BaselineRuleName = 'gateway-bind' | 'gateway-auth' | 'secret-literals' | 'env-file-mode';

/** An example a policy must accept or reject (`clawctl policy test`). */
export interface PolicyTest {
  name: string;
  expect: 'accept' | 'reject';
  rule?: string;
  agent: { metadata: Metadata; spec?: Partial<AgentSpec> };
  fleet?: FleetSpec;
}

export interface PolicySpec {
  match?: LabelSelector;
  rules: PolicyRule[];
  disableBaseline?: { rule: BaselineRuleName; reason: string }[];
  tests?: PolicyTest[];
}

interface Manifest<K extends string, S> {
  apiVersion: 'clawctl.dev/v1';
  kind: K;
  metadata: Metadata;
  spec: S;
}

export type FleetManifest = Manifest<'Fleet', FleetSpec>;
export type HostManifest = Manifest<'Host', HostSpec>;
export type AgentManifest = Manifest<'Agent', AgentSpec>;
export type PolicyManifest = Manifest<'Policy', PolicySpec>;
export type AnyManifest = FleetManifest | HostManifest | AgentManifest | PolicyManifest;
export type Kind = AnyManifest['kind'];
export const KINDS: readonly Kind[] = ['Fleet', 'Host', 'Agent', 'Policy'];

/** A schema-valid manifest with the document it came from, for file:line in later errors. */
export interface Sourced<M extends AnyManifest> {
  manifest: M;
  source: SourceDoc;
}

/** An Agent, with its `openclaw.configFile` read and its includes resolved. */
export interface SourcedAgent extends Sourced<AgentManifest> {
  configFile?: LoadedConfigFile;
}

/** Every manifest of a fleet, schema-checked and cross-referenced. */
export interface Manifests {
  fleet: Sourced<FleetManifest>;
  hosts: Sourced<HostManifest>[];
  agents: SourcedAgent[];
  policies: Sourced<PolicyManifest>[];
}
