import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { keyscan, KeyscanError, type ScannedKey } from '../../ssh/keyscan.js';
import { ClawctlError } from '../../util/errors.js';

export interface KeyscanResult {
  address: string;
  port: number;
  keys: ScannedKey[];
}

export default class HostsKeyscan extends BaseCommand<KeyscanResult> {
  static override summary = "Print a server's SSH host keys with their SHA256 fingerprints, as the line to pin in a Host manifest";
  static override description =
    "Nothing is trusted on first use: compare the fingerprint with the one the server itself shows (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console, or your provider's), then paste the line into spec.ssh.";
  static override examples = ['<%= config.bin %> hosts keyscan 10.0.0.5', '<%= config.bin %> hosts keyscan lab-1.tailnet.ts.net --port 2222'];
  static override args = { address: Args.string({ ignoreStdin: true, description: 'hostname or IP', required: true }) };
  static override flags = { port: Flags.integer({ description: 'SSH port', default: 22, min: 1, max: 65535 }) };

  async run(): Promise<KeyscanResult> {
    const { args, flags } = await this.parse(HostsKeyscan);
    const keys = await keyscan(args.address, flags.port).catch((err: unknown) => {
      if (err instanceof KeyscanError) throw new ClawctlError(err.message, [{ message: err.message, hint: 'check the address and --port, and that sshd runs there' }]);
      throw err;
    });
    this.say([`# ${args.address}:${flags.port}: compare each fingerprint with the one you know before pinning it.`, ...keys.map((k) => `    hostKey: "${k.hostKey}"  # ${k.fingerprint}`)].join('\n'));
    return { address: args.address, port: flags.port, keys };
  }
}
