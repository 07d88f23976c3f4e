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

/** What apply did to a host itself (its observation gate), before its agents. */
export interface HostApplyResult {
  host: string;
  ok: boolean;
  done: string[];
  error?: string;
}

export type ApplyStatus = 'nothing-to-do' | 'applied' | 'partial' | 'failed';

export interface ApplyResult {
  status: ApplyStatus;
  agents: AgentApplyResult[];
  hosts: HostApplyResult[];
  /** Agents not attempted because the rollout stopped after a failure, or their host's setup failed. */
  skipped: string[];
}
