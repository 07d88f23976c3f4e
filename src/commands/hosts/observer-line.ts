import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { loadDesired } from '../../engine/fleet-run.js';
import { ClawctlError } from '../../util/errors.js';

export interface ObserverLineResult {
  /** The authorized_keys line: the observation key, allowed only the gate. */
  line: string;
  /** SHA256:… of the key. */
  key: string;
  /** Whether apply keeps the line in each host's ~/.ssh/authorized_keys itself. */
  installedByApply: boolean;
}

export default class HostsObserverLine extends BaseCommand<ObserverLineResult> {
  static override summary = "Print the authorized_keys line that limits the fleet's observation key to clawctl's facts script";
  static override description =
    "Apply keeps this line in each host's ~/.ssh/authorized_keys (with the gate it runs, under ~/.clawctl/observe). When another tool manages that file (cloud-init, Ansible, an AuthorizedKeysFile elsewhere), set spec.observer.authorizedKeys: false and give it this line; apply still installs the gate.";
  static override flags = { fleet: Flags.directory({ description: 'fleet directory', default: './fleet' }) };

  async run(): Promise<ObserverLineResult> {
    const { flags } = await this.parse(HostsObserverLine);
    const { desired } = await loadDesired(flags.fleet, { secrets: false });
    const observer = desired.observer;
    if (!observer) {
      throw new ClawctlError('the fleet names no observation key', [
        { message: `${flags.fleet}: the Fleet has no spec.observer`, hint: "make a key (ssh-keygen -t ed25519 -N '' -C clawctl-observer -f observe) and set spec.observer.publicKey to observe.pub" },
      ]);
    }
    this.say(observer.line);
    return { line: observer.line, key: observer.keyFingerprint, installedByApply: observer.authorize };
  }
}
