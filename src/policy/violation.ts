import type { SourcePos } from '../util/errors.js';
import type { BaselineRuleName, PlanActionKind } from '../validate/manifests.js';

/** The pseudo-policy whose rules every fleet gets (src/policy/baseline.ts). */
export const BASELINE_POLICY = 'baseline';

export interface PolicyObject {
  kind: 'Agent' | 'Host' | 'Fleet' | 'PullRequest';
  name: string;
}

/** One broken rule: `deny` refuses outright, `approval` until `--approve <policy>/<rule>`. */
export interface Violation {
  policy: string;
  rule: string;
  object: PolicyObject;
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'deny' | 'approval';
}

/** A baseline rule a Policy turned off, and for which agents: plan prints every one. */
export interface BaselineOptOut {
  policy: string;
  rule: BaselineRuleName;
  reason: string;
  file: string;
  line: number;
  col: number;
  agents: string[];
}

export interface PolicyReport {
  violations: Violation[];
  optOuts: BaselineOptOut[];
}

/** An action that needed approval and got it: the audit log records each. */
export interface ApprovedAction {
  policy: string;
  rule: string;
  object: PolicyObject;
  action: PlanActionKind;
  detail: string;
}

export interface PlanPolicyReport {
  violations: Violation[];
  approved: ApprovedAction[];
  /** `--approve` values that approved nothing: a typo, or a rule that no longer fires. */
  unusedApprovals: string[];
}

/** What a rule found, before it is attributed to a policy and an object. */
export interface Finding {
  pos: SourcePos;
  /** Stands for `{value}` in the rule's message. */
  value: string;
  /** The default message. */
  detail: string;
}

export function toViolation(policy: string, rule: { name: string; message?: string }, object: PolicyObject, finding: Finding, severity: Violation['severity'] = 'deny'): Violation {
  const message = rule.message ? rule.message.replaceAll('{value}', finding.value) : finding.detail;
  const { file, line, col } = finding.pos;
  return { policy, rule: rule.name, object, file, line, col, message, severity };
}

/** `prod-guardrails/approved-channels: agent support-bot (fleet/agents/support.yaml:14:7): channel "discord" is not allowed` */
export function formatViolation(v: Violation): string {
  const head = `${v.policy}/${v.rule}: ${v.object.kind.toLowerCase()} ${v.object.name} (${v.file}:${v.line}:${v.col}): ${v.message}`;
  return v.severity === 'approval' ? `${head}; approve with --approve ${v.policy}/${v.rule}` : head;
}

/** Stable order for output and tests: by file position, then policy and rule. */
export function byPosition(a: Violation, b: Violation): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.policy.localeCompare(b.policy) || a.rule.localeCompare(b.rule) || a.object.name.localeCompare(b.object.name);
}

/** `baseline rule gateway-bind is off for a, b by lan-ok (fleet/policies.yaml:9:7): <reason>` */
export function formatOptOut(o: BaselineOptOut): string {
  return `baseline rule ${o.rule} is off for ${o.agents.join(', ') || 'no agent'} by ${o.policy} (${o.file}:${o.line}:${o.col}): ${o.reason}`;
}
