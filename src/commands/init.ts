import { Args, Flags } from '@oclif/core';
import { basename, resolve } from 'node:path';
import { BaseCommand } from '../cli/base-command.js';
import { initFleetRepo, type InitResult } from '../engine/init-run.js';

export default class Init extends BaseCommand<InitResult> {
  static override summary = 'Scaffold a fleet repo: fleet/, .sops.yaml, GitHub workflows, a per-fleet hash key, and an age key outside the repo';
  static override description = 'Uses the age key in SOPS_AGE_KEY_FILE or ~/.config/sops/age/keys.txt, creating one (mode 0600) when there is none. Prints the recipient to share.';
  static override args = { dir: Args.directory({ ignoreStdin: true, description: 'the repo directory', default: '.' }) };
  static override flags = { name: Flags.string({ description: 'the fleet name (default: the directory name)' }) };

  async run(): Promise<InitResult> {
    const { args, flags } = await this.parse(Init);
    const name = (flags.name ?? basename(resolve(args.dir))).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'fleet';
    const result = await initFleetRepo(args.dir, name, this.config.version);
    this.say(
      [
        `Created fleet ${name} in ${args.dir}: ${result.files.join(', ')}`,
        `${result.keyCreated ? 'Created' : 'Using'} your age key ${result.keyFile} (keep it out of git; back it up).`,
        `Your age recipient (share it; it goes in .sops.yaml): ${result.recipient}`,
        'Next: add hosts and agents under fleet/, then `clawctl secrets set secrets/prod.sops.yaml KEY` (paths are relative to fleet/) and `clawctl plan`.',
        'GitHub: .github/workflows/clawctl-plan.yml comments the plan on pull requests and clawctl-apply.yml applies on merge; they need the repository secrets SOPS_AGE_KEY (an age key listed in .sops.yaml) and CLAWCTL_SSH_KEY.',
      ].join('\n'),
    );
    return result;
  }
}
