import type { DataPath, SourceDoc } from '../load/source-doc.js';
import { deepMerge } from '../util/json.js';
import type { AgentManifest, FleetManifest, PolicyTest } from '../validate/manifests.js';
import type { CompiledPolicies, CompiledPolicy, RuleKind } from './compile.js';
import { policyViolations } from './evaluate-desired.js';
import { selects } from './selector.js';
import { agentSubject, type AgentSubject } from './subject.js';
import { formatViolation, type Violation } from './violation.js';

export interface PolicyTestResult {
  policy: string;
  test: string;
  expect: PolicyTest['expect'];
  passed: boolean;
  reason: string;
  file: string;
  line: number;
  col: number;
}

/** Rules judged on a plan (or on what an agent spent, or on a pull request): an example agent has none. */
const PLAN_KINDS: ReadonlySet<RuleKind> = new Set(['denyActions', 'requireApproval', 'maxAgentsChanged', 'budget', 'humanReview']);

/**
 * Pure: each policy's `spec.tests`, like unit tests for policy. An example is judged by the
 * policy's own selector and desired-state rules (not the baseline), and its violations
 * point into the policy file, at the example.
 */
export function runPolicyTests(compiled: CompiledPolicies): PolicyTestResult[] {
  return compiled.policies.flatMap((p) => (p.spec.tests ?? []).map((t, i) => runOne(p, t, i)));
}

function runOne(p: CompiledPolicy, t: PolicyTest, index: number): PolicyTestResult {
  const at = ['spec', 'tests', index];
  const result = (passed: boolean, reason: string): PolicyTestResult => ({ policy: p.name, test: t.name, expect: t.expect, passed, reason, ...p.source.locate([...at, 'name']) });
  const named = t.rule === undefined ? undefined : p.rules.find((r) => r.rule.name === t.rule);
  if (t.rule !== undefined && !named) return result(false, `the policy has no rule "${t.rule}" (or it has a diagnostic)`);
  if (named && PLAN_KINDS.has(named.kind)) return result(false, `rule "${t.rule}" judges plans; tests judge desired-state rules`);
  const s = exampleSubject(p.source, at, t);
  const matched = selects(p.spec.match, s.labels);
  const found = matched ? policyViolations(p, s).filter((v) => t.rule === undefined || v.rule === t.rule) : [];
  return verdict(t, found, matched, result);
}

function verdict(t: PolicyTest, found: Violation[], matched: boolean, result: (passed: boolean, reason: string) => PolicyTestResult): PolicyTestResult {
  const by = t.rule ? `rule ${t.rule}` : 'any rule';
  if (found.length > 0) {
    const first = formatViolation(found[0]!) + (found.length > 1 ? ` (and ${found.length - 1} more)` : '');
    return result(t.expect === 'reject', `rejected: ${first}`);
  }
  const why = matched ? `${by} accepts it` : "the policy's selector does not match its labels";
  return result(t.expect === 'accept', `accepted: ${why}`);
}

/** The example rendered as render would (Fleet defaults under the agent's config), located inside the policy file. */
function exampleSubject(policy: SourceDoc, at: DataPath, t: PolicyTest): AgentSubject {
  const spec = t.agent.spec ?? {};
  const fleetSpec = t.fleet ?? {};
  const agent: AgentManifest = { apiVersion: 'clawctl.dev/v1', kind: 'Agent', metadata: t.agent.metadata, spec: { ...spec, host: spec.host ?? 'example' } };
  const fleet: FleetManifest = { apiVersion: 'clawctl.dev/v1', kind: 'Fleet', metadata: { name: 'example' }, spec: fleetSpec };
  const agentDoc = inside(policy, agent, (path) => [...at, 'agent', ...path]);
  // The example's `fleet` is a Fleet's spec: drop the leading `spec` of Fleet paths.
  const fleetDoc = inside(policy, fleet, (path) => [...at, 'fleet', ...(path[0] === 'spec' ? path.slice(1) : [])]);
  const version = spec.openclaw?.version ?? fleetSpec.openclaw?.version;
  const config = deepMerge(fleetSpec.defaults?.config ?? {}, spec.openclaw?.config ?? {});
  return agentSubject({ manifest: agent, source: agentDoc }, { manifest: fleet, source: fleetDoc }, { config, ...(version ? { version } : {}) });
}

function inside(doc: SourceDoc, data: unknown, map: (path: DataPath) => DataPath): SourceDoc {
  return { file: doc.file, data, locate: (path, opts) => doc.locate(map(path), opts) };
}
