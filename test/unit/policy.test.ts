import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDesired } from '../../src/desired/render.js';
import { loadFleet } from '../../src/load/load-fleet.js';
import { PLAN_FORMAT_VERSION, type AgentPlan, type Plan } from '../../src/plan/plan.js';
import { compilePolicies } from '../../src/policy/compile.js';
import { evaluateDesired } from '../../src/policy/evaluate-desired.js';
import { evaluatePlan } from '../../src/policy/evaluate-plan.js';
import { runPolicyTests } from '../../src/policy/policy-test.js';
import { formatViolation } from '../../src/policy/violation.js';
import { ClawctlError, formatDiagnostic } from '../../src/util/errors.js';
import { validateFleet } from '../../src/validate/validate-fleet.js';

/**
 * Each fixture is a small fleet (files as lists of lines, so line N is entry N) and what
 * policy must say about it: violations in their text form, so file:line:col is checked too.
 */
interface Fixture {
  files: Record<string, string[]>;
  plan?: AgentPlan[];
  approvals?: string[];
  expect: {
    /** Prefixes of the schema diagnostics validate reports, when the fleet is invalid. */
    schemaErrors?: string[];
    diagnostics?: string[];
    violations?: string[];
    optOuts?: string[];
    planViolations?: string[];
    approved?: string[];
    unusedApprovals?: string[];
    tests?: string[];
  };
}

const dir = new URL('../fixtures/policy/fleets/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));
const root = mkdtempSync(join(tmpdir(), 'clawctl-policy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(name: string, f: Fixture) {
  const cwd = join(root, name);
  for (const [path, lines] of Object.entries(f.files)) {
    mkdirSync(dirname(join(cwd, 'fleet', path)), { recursive: true });
    writeFileSync(join(cwd, 'fleet', path), `${lines.join('\n')}\n`);
  }
  const loaded = await loadFleet(join(cwd, 'fleet'), cwd);
  const manifests = await validateFleet(loaded);
  const desired = renderDesired(loaded, manifests);
  const compiled = await compilePolicies(manifests.policies);
  const report = evaluateDesired(compiled, { manifests, desired });
  const out: Fixture['expect'] = {
    diagnostics: compiled.diagnostics.map(formatDiagnostic),
    violations: report.violations.map(formatViolation),
    optOuts: report.optOuts.map((o) => `${o.policy} disables ${o.rule} (${o.file}:${o.line}:${o.col}) for [${o.agents.join(', ')}]: ${o.reason}`),
    tests: runPolicyTests(compiled).map((t) => `${t.policy}/${t.test} (${t.line}:${t.col}) ${t.passed ? 'pass' : 'FAIL'}: ${t.reason}`),
  };
  if (f.plan) {
    const plan: Plan = {
      format_version: PLAN_FORMAT_VERSION,
      clawctl_version: 'test',
      created_at: '2026-01-01T00:00:00.000Z',
      fleet: { name: desired.fleet.name, dir: 'fleet' },
      changes: f.plan,
      hosts: [],
      waves: [],
      unreachable: [],
      config_checks: [],
      summary: { add: 0, change: 0, destroy: 0, files: 0, versions: 0, hosts: 0, adopt: 0, forget: 0 },
      fingerprint: { fleet: '', files: {}, agents: {}, writes: {} },
      policy: { violations: [], optOuts: [], approved: [] },
    };
    const planned = evaluatePlan(compiled, { manifests, desired, plan }, f.approvals ?? []);
    out.planViolations = planned.violations.map(formatViolation);
    out.approved = planned.approved.map((a) => `${a.policy}/${a.rule}: ${a.object.name} ${a.action}: ${a.detail}`);
    out.unusedApprovals = planned.unusedApprovals;
  }
  return out;
}

describe('policy on a fleet', () => {
  it.each(fixtures)('%s', async (name) => {
    const f = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Fixture;
    if (f.expect.schemaErrors) {
      const err = await run(name, f).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ClawctlError);
      // Prefixes: how the shared schema-error renderer words the tail is not policy's to fix.
      const want = f.expect.schemaErrors;
      const got = (err as ClawctlError).diagnostics.map(formatDiagnostic);
      expect(got.map((d, i) => (want[i] !== undefined && d.startsWith(want[i]) ? want[i] : d))).toEqual(want);
      return;
    }
    const out = await run(name, f);
    const want = { diagnostics: [], violations: [], optOuts: [], tests: [], ...f.expect };
    expect(out).toEqual(f.plan ? { approved: [], unusedApprovals: [], planViolations: [], ...want } : want);
  });
});
