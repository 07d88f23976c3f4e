import { Flags } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderSecretWrite } from '../../cli/render-secrets.js';
import { readSecretValue } from '../../cli/secret-input.js';
import { planOnly } from '../../engine/fleet-run.js';
import { secretsContext, setSecret, type SecretWriteResult } from '../../secrets/secrets-run.js';
import type { Plan } from '../../plan/plan.js';
import { renderPlanText } from '../../plan/render-text.js';
import { parseLocation } from '../../secrets/location.js';
import { secretArgs } from './set.js';

export interface SecretsRotateResult extends SecretWriteResult {
  /** The plan for the agents that use the secret: their .env change and restart. */
  plan: Plan | null;
}

export default class SecretsRotate extends BaseCommand<SecretsRotateResult> {
  static override summary = 'Replace an existing secret value and plan the restart of every agent that uses it';
  static override description = 'The new value comes from stdin or --from-env. Then plans (observes) the agents that take it, unless --no-plan; `clawctl apply` carries it out.';
  static override args = secretArgs;
  static override flags = {
    ...fleetFlags,
    'from-env': Flags.string({ description: 'take the value from this environment variable' }),
    plan: Flags.boolean({ description: 'plan the affected agents after writing', default: true, allowNo: true }),
  };

  async run(): Promise<SecretsRotateResult> {
    const { args, flags } = await this.parse(SecretsRotate);
    const value = await readSecretValue(flags['from-env']);
    const audit = auditLog(flags.fleet, flags.audit);
    const result = await setSecret(await secretsContext(flags.fleet, audit), parseLocation(args.location), args.key, value, 'rotate');
    this.say(renderSecretWrite(result));
    if (!flags.plan || result.usedBy.length === 0 || result.action === 'unchanged') return { ...result, plan: null };
    const run = await planOnly({ ...this.planOptions(flags), scope: { targets: result.usedBy, selector: {} } });
    this.say(`\n${renderPlanText(run.plan)}`);
    return { ...result, plan: run.plan };
  }
}
