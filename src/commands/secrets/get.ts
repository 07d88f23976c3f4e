import { Flags } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { getSecret, secretsContext, type SecretReadResult } from '../../secrets/secrets-run.js';
import { parseLocation } from '../../secrets/location.js';
import { ClawctlError } from '../../util/errors.js';
import { secretArgs } from './set.js';

export default class SecretsGet extends BaseCommand<SecretReadResult> {
  static override summary = "Show a secret's hash, or with --reveal its value (to a terminal, or with --force); audited";
  static override args = secretArgs;
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    reveal: Flags.boolean({ description: 'print the value itself' }),
    force: Flags.boolean({ description: 'with --reveal: print it even when stdout is not a terminal', dependsOn: ['reveal'] }),
  };

  async run(): Promise<SecretReadResult> {
    const { args, flags } = await this.parse(SecretsGet);
    if (flags.reveal && !process.stdout.isTTY && !flags.force) {
      throw new ClawctlError('--reveal prints a secret only to a terminal', [
        { message: 'stdout is not a terminal: the value would land in a file, a pipe or a CI log', hint: 'add --force if that is what you want' },
      ]);
    }
    const ctx = await secretsContext(flags.fleet, auditLog(flags.fleet, flags.audit));
    const result = await getSecret(ctx, parseLocation(args.location), args.key, flags.reveal);
    if (!this.jsonEnabled()) process.stdout.write(result.value !== undefined ? `${result.value}\n` : `${result.location} ${result.key}: (sensitive, ${result.hash})\n`);
    return result;
  }
}
