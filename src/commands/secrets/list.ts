import { Args } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderSecretListing } from '../../cli/render-secrets.js';
import { listSecretLocations, secretsContext, type SecretListing } from '../../secrets/secrets-run.js';
import { parseLocation } from '../../secrets/location.js';

export interface SecretsListResult {
  secrets: SecretListing[];
}

export default class SecretsList extends BaseCommand<SecretsListResult> {
  static override summary = 'List secret locations, their keys and the agents that use them; never values';
  static override description =
    "Without LOCATION: every SOPS file in the fleet and every AWS secret it references (nothing decrypted or fetched). `aws:` or `aws:PREFIX*` lists the account's secrets by name.";
  static override args = { location: Args.string({ ignoreStdin: true, description: 'a SOPS file, aws:<secret id>, or aws:[PREFIX*]' }) };
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<SecretsListResult> {
    const { args, flags } = await this.parse(SecretsList);
    const ctx = await secretsContext(flags.fleet, auditLog(flags.fleet, flags.audit));
    const secrets = await listSecretLocations(ctx, args.location === undefined ? undefined : parseLocation(args.location));
    this.say(renderSecretListing(secrets));
    return { secrets };
  }
}
