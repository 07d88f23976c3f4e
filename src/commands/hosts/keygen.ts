import { Args, Flags } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { hostKeygen, type HostKeygenResult } from '../../ssh/host-keygen-run.js';

export default class HostsKeygen extends BaseCommand<HostKeygenResult> {
  static override summary = 'Make the host key of an EC2 Host before its instance exists: private half to SOPS, public half to pin';
  static override description =
    'Writes an ed25519 private key to the fleet SOPS file (key: the host name) and prints the spec.provider.ec2 lines that pin its public half. Apply delivers the private half in the instance user data, and accepts no other key from it. A key already there is kept (printed again) unless --force.';
  static override examples = ['<%= config.bin %> hosts keygen lab-3', '<%= config.bin %> hosts keygen lab-3 --file secrets/hosts.sops.yaml'];
  static override args = { host: Args.string({ ignoreStdin: true, description: 'the Host name', required: true }) };
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    file: Flags.string({ description: 'the SOPS file, relative to the fleet directory', default: 'secrets/hosts.sops.yaml' }),
    force: Flags.boolean({ description: 'replace a key already there (its instance must be made again)', default: false }),
  };

  async run(): Promise<HostKeygenResult> {
    const { args, flags } = await this.parse(HostsKeygen);
    const r = await hostKeygen(flags.fleet, args.host, flags.file, { force: flags.force, audit: auditLog(flags.fleet, flags.audit) });
    this.say(
      [
        `# ${r.action === 'created' ? 'made' : 'already there, kept'}: ${r.fingerprint}; the private half is in ${r.secret.sops} (key ${r.secret.key}). Under spec.provider.ec2:`,
        `    hostKey: "${r.hostKey}"`,
        `    hostKeySecret: {sops: ${r.secret.sops}, key: ${r.secret.key}}`,
      ].join('\n'),
    );
    return r;
  }
}
