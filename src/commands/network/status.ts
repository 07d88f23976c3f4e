import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderNetworkStatus } from '../../cli/render-network.js';
import { networkStatus, type NetworkStatusResult } from '../../tailscale/network-run.js';
import { ExitCode } from '../../util/errors.js';

export default class NetworkStatus extends BaseCommand<NetworkStatusResult> {
  static override summary = 'Each Host with spec.tailscale against its tailnet device: found, online, SSH over the tailnet, tags';
  static override description =
    'Exit 1 when any host has a problem (not on the tailnet, offline, SSH not over the tailnet, tags that differ from the manifest). TAILSCALE_API_KEY, TAILSCALE_TAILNET, TAILSCALE_BASE_URL.';
  static override examples = ['<%= config.bin %> network status', '<%= config.bin %> network status --json'];
  static override flags = { fleet: fleetFlags.fleet };

  async run(): Promise<NetworkStatusResult> {
    const { flags } = await this.parse(NetworkStatus);
    const result = await networkStatus(flags.fleet);
    this.say(renderNetworkStatus(result));
    if (result.hosts.some((h) => h.problems.length > 0)) this.setExit(ExitCode.error);
    return result;
  }
}
