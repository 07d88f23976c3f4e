import type { HostConfigIssue } from './config-rejection.js';

/** What apply did, per agent: the `--json` output of `clawctl apply` and the audit record. */
export interface AgentApplyResult {
  agent: string;
  host: string;
  ok: boolean;
  /** Actions carried out, in order, e.g. "openclaw.json", ".env", "restart". */
  done: string[];
  error?: string;
  rolledBack?: boolean;
  /**
   * After a rollback of an agent whose gateway was healthy before apply: whether it is healthy
   * again (false: the rollback did not bring it back, and `error` says so).
   */
  healthyAfterRollback?: boolean;
  /** The host's own `openclaw config validate` refused the new openclaw.json: every issue it named. */
  configIssues?: HostConfigIssue[];
  /** What a restart had to force, e.g. a SIGKILL for a stop that hung. */
  forced?: string[];
}

/** What apply did to a host itself (its OpenClaw version, its observation gate), before its agents. */
export interface HostApplyResult {
  host: string;
  ok: boolean;
  done: string[];
  error?: string;
  /** Each agent's backup, made before the version switch and kept on the host. */
  backups?: { agent: string; archive: string }[];
  /** The version the host ran before this apply switched it (null: none), for a switch back. */
  switchedFrom?: string | null;
  /** The wave failed and the host was switched back to this version. */
  switchedBackTo?: string;
  /** The EC2 instance this apply created or terminated; `terminated` when it is gone (a failed creation is terminated). */
  instance?: { id: string; region: string; terminated?: boolean };
}

/** How far a canary wave got. */
export interface WaveResult {
  name: string;
  hosts: string[];
  status: 'applied' | 'failed' | 'skipped';
  /** Why it failed: an agent's or host's error, or one that stopped being ready while it soaked. */
  error?: string;
}

export type ApplyStatus = 'nothing-to-do' | 'applied' | 'partial' | 'failed';

export interface ApplyResult {
  status: ApplyStatus;
  agents: AgentApplyResult[];
  hosts: HostApplyResult[];
  /** Each wave in order; later waves are skipped after a failed one, or after `--until`. */
  waves: WaveResult[];
  /** `apply --until WAVE` stopped after this wave, leaving the later ones for the next run. */
  heldAfter?: string;
  /** Agents not attempted because the rollout stopped after a failure, or their host's setup failed. */
  skipped: string[];
}
