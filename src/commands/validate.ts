import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { loadDesired } from '../engine/fleet-run.js';

export interface ValidateResult {
  valid: true;
  fleet: string;
  hosts: number;
  agents: number;
  policies: number;
}

export default class Validate extends BaseCommand<ValidateResult> {
  static override summary = 'Check the fleet manifests: schema, cross-references, OpenClaw config';
  static override description =
    'Reads every *.yaml/*.yml under --fleet and reports every problem as file:line:col: message. No host is contacted.';
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --fleet ./fleet --json'];
  static override flags = { fleet: fleetFlags.fleet };

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate);
    const { manifests } = await loadDesired(flags.fleet, { secrets: false });
    const result: ValidateResult = {
      valid: true,
      fleet: manifests.fleet.manifest.metadata.name,
      hosts: manifests.hosts.length,
      agents: manifests.agents.length,
      policies: manifests.policies.length,
    };
    this.say(`${flags.fleet}: valid (fleet ${result.fleet}: ${result.hosts} host(s), ${result.agents} agent(s), ${result.policies} polic(ies))`);
    return result;
  }
}
