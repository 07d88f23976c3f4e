import type { DesiredState } from '../desired/desired-state.js';
import type { Plan } from '../plan/plan.js';
import { indexBy } from '../util/index-by.js';
import type { Manifests } from '../validate/manifests.js';
import { envModeFinding } from './baseline.js';
import type { CompiledPolicies, CompiledPolicy, CompiledRule } from './compile.js';
import { disabledFor } from './evaluate-desired.js';
import { matchEvent, planEvents, type PlanEvent } from './plan-actions.js';
import { hostPlanEvents } from './host-actions.js';
import { selects } from './selector.js';
import { agentPos, agentSubject } from './subject.js';
import { BASELINE_POLICY, byPosition, toViolation, type ApprovedAction, type PlanPolicyReport, type PolicyObject, type Violation } from './violation.js';

/** What plan and apply have: the manifests, the rendered (scoped) state, and the plan made from it. */
export interface PlanPolicyInput {
  manifests: Manifests;
  desired: DesiredState;
  plan: Plan;
}

/**
 * Pure: the plan rules of every policy that matches an agent, or the host it runs on (an
 * action lands on both), and the baseline's env-file-mode. `approvals` are the
 * `--approve <policy>/<rule>` values of a human-triggered run.
 */
export function evaluatePlan(compiled: CompiledPolicies, { manifests, desired, plan }: PlanPolicyInput, approvals: readonly string[]): PlanPolicyReport {
  const violations: Violation[] = [];
  const approved: ApprovedAction[] = [];
  const used = new Set<string>();
  // The agents each rollout cap counts.
  const changedBy = new Map(compiled.policies.flatMap((p) => p.rules.filter((r) => 'maxAgentsChanged' in r.rule).map((r): [CompiledRule, string[]] => [r, []])));
  const sourced = indexBy(manifests.agents, (a) => a.manifest.metadata.name);
  const rendered = indexBy(desired.agents, (a) => a.name);
  const hosts = indexBy(desired.hosts, (h) => h.name);
  for (const change of plan.changes) {
    const agent = sourced.get(change.agent);
    const r = rendered.get(change.agent);
    const s = agent && r ? agentSubject(agent, manifests.fleet, r) : undefined;
    const labels = s?.labels ?? {};
    const hostLabels = hosts.get(change.host)?.labels ?? {};
    const object: PolicyObject = { kind: 'Agent', name: change.agent };
    const events = planEvents(change, s);
    for (const p of compiled.policies.filter((q) => selects(q.spec.match, labels) || selects(q.spec.match, hostLabels))) {
      for (const rule of p.rules) {
        if (change.actions.length > 0) changedBy.get(rule)?.push(change.agent);
      }
    }
    judge(object, [labels, hostLabels], events);
    if (!disabledFor(compiled.policies.filter((q) => selects(q.spec.match, labels))).has('env-file-mode')) {
      for (const action of change.actions) {
        const found = action.type === 'env' ? envModeFinding(action, s ? agentPos(s, ['spec', 'env']) : manifests.fleet.source.locate([])) : undefined;
        if (found) violations.push(toViolation(BASELINE_POLICY, { name: 'env-file-mode' }, object, found));
      }
    }
  }
  // A host's own machine (an EC2 instance created or terminated) is judged as an agent is.
  for (const h of hostPlanEvents(plan, manifests)) judge(h.object, [h.labels], h.events);
  violations.push(...rolloutCaps(compiled.policies, changedBy, plan.fleet.name));
  return { violations: violations.sort(byPosition), approved, unusedApprovals: approvals.filter((a) => !used.has(a)) };

  /** Deny and approval rules of every policy that selects one of the label sets, over these events. */
  function judge(object: PolicyObject, labelSets: Record<string, string>[], events: PlanEvent[]): void {
    for (const p of compiled.policies.filter((q) => labelSets.some((l) => selects(q.spec.match, l)))) {
      for (const rule of p.rules) {
        for (const [event, items] of actionHits(rule, events)) {
          const pos = event.locate(items) ?? rule.pos;
          const value = event.describe(items);
          const key = `${p.name}/${rule.rule.name}`;
          if ('denyActions' in rule.rule) {
            violations.push(toViolation(p.name, rule.rule, object, { pos, value, detail: `denied: ${value}` }));
          } else if (approvals.includes(key)) {
            used.add(key);
            approved.push({ policy: p.name, rule: rule.rule.name, object, action: event.kind, detail: value });
          } else {
            violations.push(toViolation(p.name, rule.rule, object, { pos, value, detail: `needs approval: ${value}` }, 'approval'));
          }
        }
      }
    }
  }
}

/** Each event a deny or approval rule selects (its first matching matcher), with the part it selects. */
function actionHits({ rule }: CompiledRule, events: PlanEvent[]): [PlanEvent, string[]][] {
  const matchers = 'denyActions' in rule ? rule.denyActions : 'requireApproval' in rule ? rule.requireApproval : [];
  return events.flatMap((e): [PlanEvent, string[]][] => {
    for (const m of matchers) {
      const items = matchEvent(m, e);
      if (items) return [[e, items]];
    }
    return [];
  });
}

function rolloutCaps(policies: CompiledPolicy[], changedBy: Map<CompiledRule, string[]>, fleet: string): Violation[] {
  return policies.flatMap((p) =>
    p.rules.flatMap((rule) => {
      const agents = changedBy.get(rule) ?? [];
      if (!('maxAgentsChanged' in rule.rule) || agents.length <= rule.rule.maxAgentsChanged) return [];
      const shown = agents.length > 5 ? `${agents.slice(0, 5).join(', ')}, …` : agents.join(', ');
      const detail = `${agents.length} agents change in one apply (${shown}); at most ${rule.rule.maxAgentsChanged}`;
      return [toViolation(p.name, rule.rule, { kind: 'Fleet', name: fleet }, { pos: rule.pos, value: String(agents.length), detail })];
    }),
  );
}
