import { Args, Flags } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderSecretWrite } from '../../cli/render-secrets.js';
import { readSecretValue } from '../../cli/secret-input.js';
import { secretsContext, setSecret, type SecretWriteResult } from '../../secrets/secrets-run.js';
import { parseLocation } from '../../secrets/location.js';

export const secretArgs = {
  location: Args.string({ ignoreStdin: true, description: 'a SOPS file relative to the fleet directory (secrets/prod.sops.yaml), or aws:<secret id>', required: true }),
  key: Args.string({ ignoreStdin: true, description: 'a dotted key path in a SOPS file, or a JSON key of an AWS secret', required: true }),
};

export default class SecretsSet extends BaseCommand<SecretWriteResult> {
  static override summary = 'Set a secret value (from stdin or --from-env), creating the file or AWS secret if needed';
  static override description = 'A new SOPS file is encrypted for the recipients of the matching .sops.yaml creation rule. The value is never taken as an argument.';
  static override examples = [
    'printf %s "$KEY" | <%= config.bin %> secrets set secrets/prod.sops.yaml OPENAI_API_KEY',
    '<%= config.bin %> secrets set aws:prod/openclaw TELEGRAM_BOT_TOKEN --from-env TOKEN',
  ];
  static override args = secretArgs;
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit, 'from-env': Flags.string({ description: 'take the value from this environment variable' }) };

  async run(): Promise<SecretWriteResult> {
    const { args, flags } = await this.parse(SecretsSet);
    const value = await readSecretValue(flags['from-env']);
    const ctx = await secretsContext(flags.fleet, auditLog(flags.fleet, flags.audit));
    const result = await setSecret(ctx, parseLocation(args.location), args.key, value, 'set');
    this.say(renderSecretWrite(result));
    return result;
  }
}
