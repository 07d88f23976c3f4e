/** What apply did, per agent: the `--json` output of `clawctl apply` and the audit record. */
export interface AgentApplyResult {
  agent: string;
  host: string;
  ok: boolean;
  /** Actions carried out, in order, e.g. "openclaw.json", ".env", "restart". */
  done: string[];
  error?: string;
  rolledBack?: boolean;
}

export type ApplyStatus = 'nothing-to-do' | 'applied' | 'partial' | 'failed';

export interface ApplyResult {
  status: ApplyStatus;
  agents: AgentApplyResult[];
  /** Agents not attempted because the rollout stopped after a failure. */
  skipped: string[];
}
