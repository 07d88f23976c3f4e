import { Args, Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderTagResult } from '../../cli/render-network.js';
import { auditLog } from '../../audit/audit-log.js';
import { tagHosts, type NetworkTagResult } from '../../tailscale/network-run.js';

export default class NetworkTag extends BaseCommand<NetworkTagResult> {
  static override summary = "Set hosts' tailnet device tags to their manifests' spec.tailscale.tags";
  static override description =
    'All Hosts with spec.tailscale when none is named. Only devices whose tags differ are changed; each change is an audit entry (network.tag). The API key must own the tags (tagOwners in the tailnet policy file).';
  static override examples = ['<%= config.bin %> network tag', '<%= config.bin %> network tag edge-1 --dry-run'];
  static override strict = false;
  static override args = { host: Args.string({ ignoreStdin: true, description: 'Host names (default: every Host with spec.tailscale)' }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    'dry-run': Flags.boolean({ description: 'show what would change, change nothing', default: false }),
  };

  async run(): Promise<NetworkTagResult> {
    const { argv, flags } = await this.parse(NetworkTag);
    const result = await tagHosts(flags.fleet, argv as string[], { dryRun: flags['dry-run'], audit: auditLog(flags.fleet, flags.audit) });
    this.say(renderTagResult(result));
    return result;
  }
}
