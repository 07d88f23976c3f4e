import { BaseCommand, checkFlags, fleetFlags } from '../cli/base-command.js';
import { checkConfigs, loadDesired } from '../engine/desired-run.js';
import { configCheckSummary, configCheckWarnings, type ConfigCheck } from '../openclaw/config-check.js';
import { desiredPolicy } from '../engine/policy-check.js';
import { formatOptOut, formatViolation, type PolicyReport } from '../policy/violation.js';
import { ExitCode } from '../util/errors.js';
import { plural } from '../cli/plural.js';

export interface ValidateResult {
  /** False when a policy is violated (exit 3); other problems are errors (exit 1). */
  valid: boolean;
  fleet: string;
  hosts: number;
  agents: number;
  policies: number;
  /** Per agent: whether OpenClaw's own config check ran (pinned agents), at which version, and its warnings. */
  configChecks: ConfigCheck[];
  policy: PolicyReport;
}

export default class Validate extends BaseCommand<ValidateResult> {
  static override summary = 'Check the fleet manifests: schema, cross-references, OpenClaw config';
  static override description =
    "Reads every *.yaml/*.yml under --fleet and reports every problem as file:line:col: message. Each agent's rendered openclaw.json is judged by OpenClaw's own `config validate` of the pinned version (fetched once into ~/.cache/clawctl); unpinned agents are checked by plan, against the host's version. No host is contacted.";
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --fleet ./fleet --json'];
  static override flags = { fleet: fleetFlags.fleet, ...checkFlags };

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate);
    const { manifests, desired } = await loadDesired(flags.fleet, { secrets: false });
    const configChecks = await checkConfigs(manifests, desired, undefined, { openclawCheck: { enforce: true, require: flags['require-openclaw-check'] }, hooks: this.hooks() });
    const policy = await desiredPolicy(manifests, desired);
    const result: ValidateResult = {
      valid: policy.violations.length === 0,
      fleet: manifests.fleet.manifest.metadata.name,
      hosts: manifests.hosts.length,
      agents: manifests.agents.length,
      policies: manifests.policies.length,
      configChecks,
      policy,
    };
    // One write each: a fleet of thousands of agents has a line per agent.
    const summary = configCheckSummary(configChecks);
    const warnings = configCheckWarnings(configChecks);
    if (summary.length > 0) this.say(summary.join('\n'));
    if (warnings.length > 0) this.warnLine(warnings.join('\n'));
    for (const o of policy.optOuts) this.say(`policy: ${formatOptOut(o)}`);
    if (!result.valid) {
      for (const v of policy.violations) process.stderr.write(`${formatViolation(v)}\n`);
      this.say(`${flags.fleet}: ${plural(policy.violations.length, 'policy violation')}`);
      this.setExit(ExitCode.policy);
      return result;
    }
    this.say(`${flags.fleet}: valid (fleet ${result.fleet}: ${plural(result.hosts, 'host')}, ${plural(result.agents, 'agent')}, ${plural(result.policies, 'policy', 'policies')})`);
    return result;
  }
}
