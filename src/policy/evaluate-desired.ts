import type { DesiredState } from '../desired/desired-state.js';
import { indexBy } from '../util/index-by.js';
import type { BaselineRuleName, Manifests, PolicySpec } from '../validate/manifests.js';
import { BASELINE_RULES, DEFAULT_GATEWAY_BINDS, baselineAgentFindings, baselineFleetFindings } from './baseline.js';
import type { CompiledPolicies, CompiledPolicy } from './compile.js';
import { agentFindings, hostFindings } from './desired-rules.js';
import { selects } from './selector.js';
import { agentSubject, type AgentSubject } from './subject.js';
import { BASELINE_POLICY, byPosition, toViolation, type BaselineOptOut, type PolicyReport, type Violation } from './violation.js';

type OptOutEntry = NonNullable<PolicySpec['disableBaseline']>[number];

/** What validate has: the manifests (for labels and positions) and the rendered, possibly scoped, state. */
export interface DesiredPolicyInput {
  manifests: Manifests;
  desired: DesiredState;
}

/**
 * Pure: every policy's desired-state rules on the Agents and Hosts its selector matches (by
 * their own labels), and the baseline on every agent and the Fleet's defaults.
 */
export function evaluateDesired(compiled: CompiledPolicies, { manifests, desired }: DesiredPolicyInput): PolicyReport {
  const violations: Violation[] = [];
  // The agents each disableBaseline entry applies to.
  const optedOut = new Map(compiled.policies.flatMap((p) => (p.spec.disableBaseline ?? []).map((d): [OptOutEntry, string[]] => [d, []])));
  const agents = indexBy(manifests.agents, (a) => a.manifest.metadata.name);
  for (const rendered of desired.agents) {
    const s = agentSubject(agents.get(rendered.name)!, manifests.fleet, rendered);
    const matching = compiled.policies.filter((p) => selects(p.spec.match, s.labels));
    for (const p of matching) violations.push(...policyViolations(p, s));
    violations.push(...baselineViolations(matching, s));
    for (const d of matching.flatMap((p) => p.spec.disableBaseline ?? [])) optedOut.get(d)!.push(s.name);
  }
  const hosts = indexBy(manifests.hosts, (h) => h.manifest.metadata.name);
  for (const { name, labels } of desired.hosts) {
    const host = hosts.get(name)!;
    for (const p of compiled.policies.filter((q) => selects(q.spec.match, labels))) {
      for (const { rule } of p.rules) violations.push(...hostFindings(rule, host).map((f) => toViolation(p.name, rule, { kind: 'Host', name }, f)));
    }
  }
  const fleetLabels = manifests.fleet.manifest.metadata.labels ?? {};
  if (!disabledFor(compiled.policies.filter((p) => selects(p.spec.match, fleetLabels))).has('secret-literals')) {
    const fleet = { kind: 'Fleet' as const, name: manifests.fleet.manifest.metadata.name };
    violations.push(...baselineFleetFindings(manifests.fleet).map((f) => toViolation(BASELINE_POLICY, { name: 'secret-literals' }, fleet, f)));
  }
  return { violations: violations.sort(byPosition), optOuts: optOuts(compiled, optedOut) };
}

/** One policy's desired-state rules on one agent (also what `policy test` runs). */
export function policyViolations(p: CompiledPolicy, s: AgentSubject): Violation[] {
  return p.rules.flatMap((r) => agentFindings(r, s).map((f) => toViolation(p.name, r.rule, { kind: 'Agent', name: s.name }, f)));
}

function baselineViolations(matching: CompiledPolicy[], s: AgentSubject): Violation[] {
  const disabled = disabledFor(matching);
  const binds = [...DEFAULT_GATEWAY_BINDS, ...matching.flatMap((p) => p.rules.flatMap(({ rule }) => ('allowedGatewayBinds' in rule ? rule.allowedGatewayBinds : [])))];
  return BASELINE_RULES.filter((name) => !disabled.has(name)).flatMap((name) =>
    baselineAgentFindings(name, s, [...new Set(binds)]).map((f) => toViolation(BASELINE_POLICY, { name }, { kind: 'Agent', name: s.name }, f)),
  );
}

export function disabledFor(matching: readonly CompiledPolicy[]): Set<BaselineRuleName> {
  return new Set(matching.flatMap((p) => (p.spec.disableBaseline ?? []).map((d) => d.rule)));
}

function optOuts(compiled: CompiledPolicies, optedOut: Map<OptOutEntry, string[]>): BaselineOptOut[] {
  return compiled.policies.flatMap((p) =>
    (p.spec.disableBaseline ?? []).map((d, i) => ({
      policy: p.name,
      rule: d.rule,
      reason: d.reason,
      ...p.source.locate(['spec', 'disableBaseline', i, 'rule']),
      agents: optedOut.get(d)!,
    })),
  );
}
