import { Flags } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderSecretWrite } from '../../cli/render-secrets.js';
import { removeSecret, secretsContext, usersOf, type SecretWriteResult } from '../../secrets/secrets-run.js';
import { parseLocation } from '../../secrets/location.js';
import { ClawctlError } from '../../util/errors.js';
import { secretArgs } from './set.js';

export default class SecretsRm extends BaseCommand<SecretWriteResult> {
  static override summary = 'Remove a secret value; refused while an agent still uses it, unless --force';
  static override args = secretArgs;
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit, force: Flags.boolean({ description: 'remove it even though agents use it (their next plan fails)' }) };

  async run(): Promise<SecretWriteResult> {
    const { args, flags } = await this.parse(SecretsRm);
    const ctx = await secretsContext(flags.fleet, auditLog(flags.fleet, flags.audit));
    const loc = parseLocation(args.location);
    const users = usersOf(ctx.manifests, loc, args.key);
    if (users.length > 0 && !flags.force) {
      throw new ClawctlError(`${args.location} ${args.key} is used by ${users.join(', ')}; nothing removed`, [
        { message: `agents ${users.join(', ')} reference ${args.location}#${args.key}`, hint: 'remove the secretRef from their manifests first, or pass --force' },
      ]);
    }
    const result = await removeSecret(ctx, loc, args.key);
    this.say(renderSecretWrite(result));
    return result;
  }
}
