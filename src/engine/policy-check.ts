import type { AuditSink } from '../audit/audit-log.js';
import { pullRequestsOfThisRun } from '../github/run-pulls.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { Plan, PlanPolicy } from '../plan/plan.js';
import { indexObserved, type ObservedState } from '../observe/observed-state.js';
import { budgetStandings, tierRaiseViolations, type BudgetStanding } from '../policy/budget.js';
import { compilePolicies, type CompiledPolicies } from '../policy/compile.js';
import { evaluateDesired } from '../policy/evaluate-desired.js';
import { evaluatePlan } from '../policy/evaluate-plan.js';
import { hasHumanReviewRules, humanReviewViolations } from '../policy/human-review.js';
import { byPosition, formatViolation, type PolicyReport } from '../policy/violation.js';
import { ClawctlError, ExitCode } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';

/** The fleet's policies, compiled once per run; one that can't compile is bad input (exit 1). */
export async function compileFleetPolicies(manifests: Manifests): Promise<CompiledPolicies> {
  const compiled = await compilePolicies(manifests.policies);
  if (compiled.diagnostics.length > 0) throw ClawctlError.of(compiled.diagnostics, `${compiled.diagnostics.length} problem(s) in Policy manifests`);
  return compiled;
}

export async function desiredPolicy(manifests: Manifests, desired: DesiredState): Promise<PolicyReport> {
  return evaluateDesired(await compileFleetPolicies(manifests), { manifests, desired });
}

/**
 * Desired-state and plan rules together, as plan shows them and apply enforces them.
 * `--approve` values that approve nothing are an error: a typo must not pass silently.
 */
export async function planPolicy(manifests: Manifests, desired: DesiredState, plan: Plan, approvals: readonly string[]): Promise<PlanPolicy> {
  const compiled = await compileFleetPolicies(manifests);
  const d = evaluateDesired(compiled, { manifests, desired });
  const p = evaluatePlan(compiled, { manifests, desired, plan }, approvals);
  if (p.unusedApprovals.length > 0) {
    throw new ClawctlError(
      `--approve ${p.unusedApprovals.join(', ')} approves nothing in this plan`,
      p.unusedApprovals.map((a) => ({ message: `--approve ${a}: no action of this plan needs that approval`, hint: 'approve as <policy>/<rule>, exactly as the plan names it' })),
    );
  }
  // Who proposed the change: only a GitHub Actions run about pull requests can tell, and asks.
  const reviews = hasHumanReviewRules(compiled) ? humanReviewViolations(compiled, await pullRequestsOfThisRun()) : [];
  return { violations: [...d.violations, ...p.violations, ...reviews].sort(byPosition), optOuts: d.optOuts, approved: p.approved };
}

/** Whether any Policy sets a budget: then plan and watch read each agent's usage cost too. */
export function hasBudgets(manifests: Manifests): boolean {
  return manifests.policies.some((p) => p.manifest.spec.rules.some((r) => 'budget' in r));
}

/**
 * Budgets against the observed usage cost: where each agent stands, and the plan's tier raises
 * a budget refuses (added to the plan's violations: apply refuses them like any other).
 */
export async function budgetCheck(manifests: Manifests, desired: DesiredState, observed: ObservedState, plan: Plan): Promise<Map<string, BudgetStanding[]>> {
  if (!hasBudgets(manifests)) return new Map();
  const compiled = await compileFleetPolicies(manifests);
  const seen = indexObserved(observed);
  const costs = new Map(desired.agents.map((a) => [a.name, seen.agents.get(a.name)?.cost]));
  const hostLabels = new Map(desired.hosts.map((h) => [h.name, h.labels]));
  const standings = budgetStandings(compiled, desired.agents, hostLabels, costs);
  const raises = tierRaiseViolations({ compiled, manifests, desired, plan, observed: seen.agents, standings });
  if (raises.length > 0) plan.policy = { ...plan.policy, violations: [...plan.policy.violations, ...raises].sort(byPosition) };
  return standings;
}

/** Approvals count only in a run a human started: in GitHub Actions, a workflow_dispatch. */
export function checkApprovalsAllowed(approvals: readonly string[]): void {
  const env = process.env;
  if (approvals.length > 0 && env.GITHUB_ACTIONS === 'true' && env.GITHUB_EVENT_NAME !== 'workflow_dispatch') {
    throw new ClawctlError('--approve is only accepted in a human-triggered run', [
      { message: `this run was triggered by ${env.GITHUB_EVENT_NAME ?? 'an event'}, not by a person`, hint: 'run the apply workflow by hand (workflow_dispatch) with the approval as an input' },
    ]);
  }
}

/** Refuse (exit 3) when the plan breaks policy; every decision goes to the audit log. */
export async function enforcePolicy(plan: Plan, audit: AuditSink): Promise<void> {
  const { violations, approved } = plan.policy;
  await audit.record([
    ...violations.map((v) => ({
      action: 'policy.decision' as const,
      target: `${v.object.kind.toLowerCase()}/${v.object.name}`,
      result: v.severity === 'approval' ? 'needs-approval' : 'denied',
      details: { rule: `${v.policy}/${v.rule}`, at: `${v.file}:${v.line}:${v.col}` },
    })),
    ...(violations.length === 0
      ? approved.map((a) => ({
          action: 'approval' as const,
          target: `${a.object.kind.toLowerCase()}/${a.object.name}`,
          result: 'approved',
          details: { rule: `${a.policy}/${a.rule}`, action: a.action },
        }))
      : []),
  ]);
  if (violations.length > 0) {
    throw new ClawctlError(
      `refused by policy: ${violations.length} violation(s); nothing was applied`,
      violations.map((v) => ({ message: formatViolation(v) })),
      ExitCode.policy,
    );
  }
}
