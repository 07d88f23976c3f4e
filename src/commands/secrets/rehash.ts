import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { plural } from '../../cli/plural.js';
import { rehashSecrets, secretsContext } from '../../secrets/secrets-run.js';
import { HASH_RECORD } from '../../secrets/hash-record.js';

export interface SecretsRehashResult {
  /** How many secret references now have their keyed hash recorded. */
  recorded: number;
  /** The locations decrypted to do it. */
  locations: string[];
  /** The record, relative to the fleet directory. */
  file: string;
}

export default class SecretsRehash extends BaseCommand<SecretsRehashResult> {
  static override summary = "Record every referenced secret's keyed hash, so plans need no key to decrypt";
  static override description =
    `Decrypts each value the fleet references (you need the age key, and AWS credentials for aws: secrets) and writes their keyed hashes to fleet/${HASH_RECORD}. secrets set, rotate and rm keep it current; run this once for a fleet whose secrets predate it, or after a value changed outside clawctl (apply refuses a record that does not match the values). Commit the file.`;
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<SecretsRehashResult> {
    const { flags } = await this.parse(SecretsRehash);
    const ctx = await secretsContext(flags.fleet, auditLog(flags.fleet, flags.audit));
    const { recorded, locations } = await rehashSecrets(ctx);
    this.say(
      `Recorded ${plural(recorded, 'secret reference')} from ${plural(locations.length, 'location')} in ${flags.fleet}/${HASH_RECORD}. Commit it: plans and agents then compare .env files without decrypting.`,
    );
    return { recorded, locations, file: HASH_RECORD };
  }
}
