import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { renderProposal } from '../cli/render-propose.js';
import { auditLog } from '../audit/audit-log.js';
import { propose, type ProposeResult } from '../propose/propose-run.js';
import { parseEdit } from '../propose/manifest-edits.js';

/** OpenClaw marks the commands its exec tool runs (OPENCLAW_SHELL=exec): the pull request says an agent proposed it. */
function proposerOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENCLAW_SHELL === 'exec' ? "from an OpenClaw agent's exec tool (`clawctl propose --incident`)" : 'with `clawctl propose --incident`';
}

export default class Propose extends BaseCommand<ProposeResult> {
  static override summary = 'Commit a manifest change on a new branch, push it and open a pull request';
  static override description =
    `The change is the checkout's uncommitted edits under the fleet directory plus any --set/--unset edits (applied with comments kept). It is built in a throwaway worktree (your branch, index and files are untouched), must validate and pass every policy on desired state (exit 1 or 3 otherwise, nothing pushed), and never touches a host: the pull request's plan comment and a person's merge do the rest. GitHub: GITHUB_TOKEN (or GH_TOKEN), GITHUB_API_URL; the repository from --repo, GITHUB_REPOSITORY or the remote's URL. Proposing the same change again reuses its branch and pull request.`;
  static override examples = [
    `<%= config.bin %> propose --title "support: pin gateway.mode" --set agent/support:spec.openclaw.config.gateway.mode=local --body-file diagnosis.md`,
    '<%= config.bin %> propose --title "Upgrade prod to 2026.9.7" --set fleet:spec.openclaw.version=2026.9.7 --dry-run',
    '<%= config.bin %> propose --title "Add the sales agent"   # after editing fleet/ yourself',
  ];
  static override flags = {
    fleet: fleetFlags.fleet,
    audit: fleetFlags.audit,
    title: Flags.string({ description: 'pull request title and commit subject', required: true }),
    body: Flags.string({ description: 'why: the pull request description (markdown)', exclusive: ['body-file'] }),
    'body-file': Flags.string({ description: 'read the description from this file (- for stdin)', exclusive: ['body'] }),
    set: Flags.string({ description: 'KIND/NAME:PATH=VALUE, e.g. agent/support:spec.openclaw.version=2026.9.7 (VALUE is YAML); repeatable', multiple: true }),
    unset: Flags.string({ description: 'KIND/NAME:PATH to remove, e.g. agent/support:spec.env.DEBUG; repeatable', multiple: true }),
    branch: Flags.string({ description: 'branch to push (default: clawctl/propose/<title>-<tree hash>)' }),
    base: Flags.string({ description: "branch the pull request merges into (default: the checkout's branch)" }),
    remote: Flags.string({ description: 'git remote to push to', default: 'origin' }),
    repo: Flags.string({ description: "GitHub repository OWNER/NAME (default: GITHUB_REPOSITORY, else the remote's URL)" }),
    label: Flags.string({ description: 'label for the pull request; repeatable', multiple: true, default: ['clawctl'] }),
    incident: Flags.string({
      description:
        "the incident (its id from watch's alert) this change fixes: its one pull request, on branch clawctl/incident/ID, with the agent's diagnosis and the plan of the change; proposing again updates it",
    }),
    'dry-run': Flags.boolean({ description: 'build, validate and show the proposal; push nothing, open nothing', default: false }),
  };

  async run(): Promise<ProposeResult> {
    const { flags } = await this.parse(Propose);
    const edits = [...(flags.set ?? []).map((s) => parseEdit(s, false)), ...(flags.unset ?? []).map((s) => parseEdit(s, true))];
    const body = flags['body-file'] ? await readFile(flags['body-file'] === '-' ? '/dev/stdin' : flags['body-file'], 'utf8') : (flags.body ?? '');
    const result = await propose({
      fleetDir: flags.fleet,
      title: flags.title,
      body,
      edits,
      ...(flags.branch ? { branch: flags.branch } : {}),
      ...(flags.base ? { base: flags.base } : {}),
      remote: flags.remote,
      ...(flags.repo ? { repo: flags.repo } : {}),
      labels: flags.label,
      dryRun: flags['dry-run'],
      audit: auditLog(flags.fleet, flags.audit),
      clawctlVersion: this.config.version,
      ...(flags.incident ? { incident: { id: flags.incident, plan: this.planOptions({ ...flags, target: [], selector: [], concurrency: 1 }), via: proposerOf() } } : {}),
    });
    this.say(renderProposal(result));
    return result;
  }
}
