import { Args } from '@oclif/core';
import { auditLog } from '../../audit/audit-log.js';
import { sendTestAlert, type AlertsTestResult } from '../../alerts/test-send.js';
import { BaseCommand, fleetFlags } from '../../cli/base-command.js';
import { renderAlertsTest } from '../../cli/render-alerts.js';
import { ExitCode } from '../../util/errors.js';

export default class AlertsTest extends BaseCommand<AlertsTestResult> {
  static override summary = "Send a test message through one of the Fleet's alert receivers";
  static override description =
    'Decrypts the secrets the receiver needs (a Telegram bot token, an SMTP password) in this process, as watch does, and retries a failed send twice. Exits 1 when the message was not delivered, saying why. Touches no incident and no rate limit of watch.';
  static override examples = ['<%= config.bin %> alerts test ops', '<%= config.bin %> alerts test oncall --json'];
  static override args = { receiver: Args.string({ description: "the receiver's name (spec.alerts[].name)", required: true }) };
  static override flags = { fleet: fleetFlags.fleet, audit: fleetFlags.audit };

  async run(): Promise<AlertsTestResult> {
    const { args, flags } = await this.parse(AlertsTest);
    const result = await sendTestAlert(flags.fleet, args.receiver, auditLog(flags.fleet, flags.audit));
    if (result.delivered) this.say(renderAlertsTest(result));
    else {
      this.warnLine(renderAlertsTest(result));
      this.setExit(ExitCode.error);
    }
    return result;
  }
}
