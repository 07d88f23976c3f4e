import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { compileFleetPolicies } from '../../engine/policy-check.js';
import { loadFleet } from '../../load/load-fleet.js';
import { runPolicyTests, type PolicyTestResult } from '../../policy/policy-test.js';
import { ExitCode } from '../../util/errors.js';
import { validateFleet } from '../../validate/validate-fleet.js';

export interface PolicyTestCommandResult {
  passed: number;
  failed: number;
  tests: PolicyTestResult[];
}

export default class PolicyTest extends BaseCommand<PolicyTestCommandResult> {
  static override summary = "Run the examples in each Policy's spec.tests: manifests it must accept or reject";
  static override description = 'Like unit tests for policy. Exit 1 when an example is judged otherwise than it expects. No host is contacted.';
  static override flags = { fleet: fleetFlags.fleet };

  async run(): Promise<PolicyTestCommandResult> {
    const { flags } = await this.parse(PolicyTest);
    const tests = runPolicyTests(await compileFleetPolicies(await validateFleet(await loadFleet(flags.fleet))));
    const failed = tests.filter((t) => !t.passed);
    for (const t of tests) this.say(`${t.passed ? 'ok  ' : 'FAIL'} ${t.policy}/${t.test} (${t.file}:${t.line}:${t.col}): expected ${t.expect}${t.passed ? '' : `: ${t.reason}`}`);
    this.say(`${tests.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length > 0) this.setExit(ExitCode.error);
    return { passed: tests.length - failed.length, failed: failed.length, tests };
  }
}
