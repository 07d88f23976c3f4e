import { Args, Flags } from '@oclif/core';
import { basename, resolve } from 'node:path';
import { BaseCommand } from '../cli/base-command.js';
import { CODEOWNERS_PLACEHOLDER, initFleetRepo, type InitResult } from '../engine/init-run.js';
import { parseActionRef } from '../github/clawctl-action.js';

export default class Init extends BaseCommand<InitResult> {
  static override summary = 'Scaffold a fleet repo: fleet/, .sops.yaml, GitHub workflows and CODEOWNERS, a per-fleet hash key, and an age key outside the repo';
  static override description =
    'Uses the age key in SOPS_AGE_KEY_FILE or ~/.config/sops/age/keys.txt, creating one (mode 0600) when there is none. Prints the recipient to share. The workflows install clawctl with its GitHub Action pinned to a commit: --action, else the GitHub repository and commit this clawctl was installed from.';
  static override examples = ['<%= config.bin %> init fleet-repo --name prod', '<%= config.bin %> init . --action acme/clawctl@0123456789abcdef0123456789abcdef01234567'];
  static override args = { dir: Args.directory({ ignoreStdin: true, description: 'the repo directory', default: '.' }) };
  static override flags = {
    name: Flags.string({ description: 'the fleet name (default: the directory name)' }),
    action: Flags.string({ description: "clawctl's GitHub Action for the workflows, OWNER/REPO@<full commit sha> (default: the repository and commit this clawctl came from)" }),
    shards: Flags.integer({
      description: 'write the workflows in matrix form: each job runs once per shard of the hosts (clawctl --shard I/N), for fleets too large for one runner',
      min: 2,
      max: 256,
    }),
  };

  async run(): Promise<InitResult> {
    const { args, flags } = await this.parse(Init);
    const name =
      (flags.name ?? basename(resolve(args.dir)))
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'fleet';
    const result = await initFleetRepo(args.dir, name, this.config.version, flags.action === undefined ? undefined : parseActionRef(flags.action), flags.shards);
    this.say(
      [
        `Created fleet ${name} in ${args.dir}: ${result.files.join(', ')}`,
        `${result.keyCreated ? 'Created' : 'Using'} your age key ${result.keyFile} (keep it out of git; back it up).`,
        `Your age recipient (share it; it goes in .sops.yaml): ${result.recipient}`,
        'Next: add hosts and agents under fleet/, then `clawctl secrets set secrets/prod.sops.yaml KEY` (paths are relative to fleet/) and `clawctl plan`.',
        '',
        'GitHub: clawctl-plan.yml comments the plan on pull requests, clawctl-apply.yml applies on merge, clawctl-drift.yml keeps an issue open while the hosts drift from main.',
        result.action
          ? `- They install clawctl with ${result.action}: that commit must be on GitHub.`
          : '- They name OWNER/clawctl@FULL_COMMIT_SHA: replace it with the repository and full commit sha of the clawctl you run (`init --action` writes it).',
        "- Repository secrets for plan and drift: CLAWCTL_OBSERVE_SSH_KEY, the observation key (its public half in fleet/fleet.yaml spec.observer; one apply from your machine installs it on the hosts, for the facts script alone); CLAWCTL_HASH_KEY, the fleet's hash key (`clawctl secrets get secrets/clawctl.sops.yaml hashKey --reveal`).",
        '- Environment `fleet`, deployment branches limited to main: secrets SOPS_AGE_KEY (an age key listed in .sops.yaml) and CLAWCTL_SSH_KEY (apply only).',
        '- Hosts on a tailnet: repository variable CLAWCTL_TAILNET=true and secrets TS_OAUTH_CLIENT_ID, TS_OAUTH_SECRET (an OAuth client for tag:ci).',
        result.files.includes('.github/CODEOWNERS')
          ? `- .github/CODEOWNERS names ${CODEOWNERS_PLACEHOLDER}: change it to your team, and require code owner review on main.`
          : '- Your CODEOWNERS is kept: give it /.github/, /fleet/policies/ and /.sops.yaml, and require code owner review on main.',
      ].join('\n'),
    );
    return result;
  }
}
