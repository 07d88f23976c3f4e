import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderDevices } from '../../cli/render-network.js';
import { listNetwork, type NetworkListResult } from '../../tailscale/network-run.js';

export default class NetworkList extends BaseCommand<NetworkListResult> {
  static override summary = "The tailnet's devices: name, addresses, tags, online (Tailscale API v2)";
  static override description = 'TAILSCALE_API_KEY (never printed), TAILSCALE_TAILNET (default "-": the key\'s own tailnet), TAILSCALE_BASE_URL.';
  static override examples = ['<%= config.bin %> network list', '<%= config.bin %> network list --tag tag:clawctl --json'];
  static override flags = { tag: Flags.string({ description: 'only devices with this tag, e.g. tag:clawctl' }) };

  async run(): Promise<NetworkListResult> {
    const { flags } = await this.parse(NetworkList);
    const result = await listNetwork(flags.tag);
    this.say(renderDevices(result));
    return result;
  }
}
