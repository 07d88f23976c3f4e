import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionRef, findClawctlAction, type ClawctlAction } from '../github/clawctl-action.js';
import { defaultKeyFile, findAgeIdentities, generateAgeIdentity } from '../secrets/sops/age-keys.js';
import { creationRuleFor } from '../secrets/sops/creation-rules.js';
import { createSopsFile, saveSopsFile, setValue } from '../secrets/sops/sops-file.js';
import { ClawctlError } from '../util/errors.js';

export interface InitResult {
  dir: string;
  /** The age recipient files are encrypted for: safe to share, goes into .sops.yaml. */
  recipient: string;
  /** Where the private key is: outside the repo. */
  keyFile: string;
  keyCreated: boolean;
  files: string[];
  /**
   * The clawctl GitHub Action the workflows install clawctl with, `owner/repo@<commit>`; null
   * when it could not be known here, and the workflows then name a placeholder to replace.
   */
  action: string | null;
}

const HASH_KEY_FILE = 'secrets/clawctl.sops.yaml';
const SCHEMAS = new URL('../../schemas/', import.meta.url);
const MANIFEST_SCHEMAS = ['common.schema.json', 'fleet.schema.json', 'host.schema.json', 'agent.schema.json', 'policy.schema.json'];
/**
 * The GitOps loop, written to the fleet repo's `.github/workflows/`: plan comments on pull
 * requests, apply on merge, and a scheduled drift check that keeps one issue open while the
 * hosts differ from main.
 */
export const WORKFLOWS = ['clawctl-plan.yml', 'clawctl-apply.yml', 'clawctl-drift.yml'];
const TEMPLATES = new URL('../../.github/workflows/templates/', import.meta.url);
/** What the workflows name when the clawctl action is not known: a run fails on it rather than install anything else. */
export const ACTION_PLACEHOLDER = 'OWNER/clawctl@FULL_COMMIT_SHA # replace with the repository and full commit sha of the clawctl you run';
/** The team CODEOWNERS names until the user puts theirs in. */
export const CODEOWNERS_PLACEHOLDER = '@OWNER/fleet-admins';

/**
 * A workflow template as `init` writes it: the clawctl version that wrote it, and the action
 * every job installs clawctl with (pinned by commit, with the version as a comment).
 */
export async function renderWorkflow(name: string, clawctlVersion: string, action: ClawctlAction | undefined, shards?: number): Promise<string> {
  const uses = action ? `${actionRef(action)} # clawctl ${clawctlVersion}` : ACTION_PLACEHOLDER;
  const text = (await readFile(new URL(name, TEMPLATES), 'utf8')).replaceAll('{{CLAWCTL_VERSION}}', clawctlVersion).replaceAll('{{CLAWCTL_ACTION}}', uses);
  return shards ? matrixForm(name, text, shards) : text;
}

/**
 * The matrix form (`init --shards N`): each job runs once per shard of the hosts, with
 * `--shard I/N` on its plan or apply, its own plan artifact, drift issue and PR comment. The
 * workflow-level concurrency stays: one apply run at a time, its shards side by side.
 * Each edit names the template text it expects, so a template change that breaks one fails.
 */
export function matrixForm(name: string, text: string, shards: number): string {
  const shard = `\${{ matrix.shard }}/${shards}`;
  const edit = (from: string | RegExp, to: string) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${name}: the matrix form expects ${String(from)} in the template`);
    text = next;
  };
  edit(
    /^( {4})runs-on: ubuntu-latest\n/m,
    `$1runs-on: ubuntu-latest\n$1# One job per shard of the hosts: \`--shard I/${shards}\` always picks the same hosts.\n$1strategy:\n$1  fail-fast: false\n$1  matrix:\n$1    shard: [${Array.from({ length: shards }, (_, i) => i + 1).join(', ')}]\n`,
  );
  if (name === 'clawctl-plan.yml') {
    edit('clawctl plan --pr-comment', `clawctl plan --shard ${shard} --pr-comment`);
    edit('name: clawctl-plan\n', 'name: clawctl-plan-shard-${{ matrix.shard }}\n');
  } else if (name === 'clawctl-apply.yml') {
    edit('clawctl apply --auto-approve', `clawctl apply --shard ${shard} --auto-approve`);
  } else if (name === 'clawctl-drift.yml') {
    edit('clawctl plan --detailed-exitcode --require-openclaw-check', `clawctl plan --shard ${shard} --detailed-exitcode --require-openclaw-check`);
    edit("marker='<!-- clawctl:drift fleet=fleet -->'", `marker='<!-- clawctl:drift fleet=fleet shard=${shard} -->'`);
    edit('the hosts drifted from main (fleet/)', `the hosts drifted from main (fleet/, shard ${shard})`);
  }
  return text;
}

function codeowners(): string {
  return `# Written by \`clawctl init\`. Whoever may change these paths decides what checks and applies
# the fleet: the workflows, the policies, and whom secrets are encrypted for. Replace
# ${CODEOWNERS_PLACEHOLDER} with your team, and require review from code owners on main.
/.github/        ${CODEOWNERS_PLACEHOLDER}
/fleet/policies/ ${CODEOWNERS_PLACEHOLDER}
/.sops.yaml      ${CODEOWNERS_PLACEHOLDER}
`;
}

/**
 * A new fleet repo: fleet/ with a Fleet manifest, .sops.yaml for the user's age key (made
 * outside the repo when there is none), and the per-fleet key that keys plan hashes, in a
 * SOPS file so only key holders can compute hashes.
 */
export async function initFleetRepo(dir: string, name: string, clawctlVersion: string, actionFlag?: ClawctlAction, shards?: number): Promise<InitResult> {
  const fleetDir = join(dir, 'fleet');
  if ((await readdir(fleetDir).catch(() => [])).length > 0) {
    throw new ClawctlError(`${fleetDir} already holds files; nothing was written`, [{ message: `${fleetDir} is not empty`, hint: 'run `clawctl init` in a new directory' }]);
  }
  const action = actionFlag ?? (await findClawctlAction(fileURLToPath(new URL('../../', import.meta.url))));
  const { recipient, keyFile, created } = await ensureAgeKey();
  const files: Record<string, string> = {
    '.sops.yaml': `# Whom SOPS files are encrypted for (sops and clawctl both read this).\n# New files are encrypted for these age recipients (comma-separated: add teammates and CI);\n# re-wrap an existing file for a changed list with \`sops updatekeys FILE\`.\ncreation_rules:\n  - path_regex: fleet/secrets/.*\\.sops\\.ya?ml$\n    age: ${recipient}\n`,
    '.gitignore': '.clawctl/lock\n.clawctl/*.lock\n.clawctl/audit-git/\n',
    'fleet/fleet.yaml': fleetYaml(name),
    'fleet/hosts/.gitkeep': '',
    'fleet/agents/.gitkeep': '',
    'fleet/policies/.gitkeep': '',
  };
  // The manifest schemas beside the fleet, so an editor's yaml-language-server completes and
  // checks manifests offline, at this clawctl's version (run init of a newer one elsewhere to update).
  for (const schema of MANIFEST_SCHEMAS) files[`schemas/${schema}`] = await readFile(new URL(schema, SCHEMAS), 'utf8');
  // A repo that already has its own workflows, or code owners, keeps them.
  for (const w of WORKFLOWS) {
    const rel = `.github/workflows/${w}`;
    if (!existsSync(join(dir, rel))) files[rel] = await renderWorkflow(w, clawctlVersion, action, shards);
  }
  if (!['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'].some((f) => existsSync(join(dir, f)))) files['.github/CODEOWNERS'] = codeowners();
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text, { flag: rel === '.gitignore' ? 'a' : 'w' });
  }
  const hashKeyPath = join(fleetDir, HASH_KEY_FILE);
  await mkdir(dirname(hashKeyPath), { recursive: true });
  const rule = await creationRuleFor(hashKeyPath);
  const file = await createSopsFile(hashKeyPath, rule.recipients, rule.rule);
  setValue(file, ['hashKey'], randomBytes(32).toString('base64url'));
  await saveSopsFile(file);
  return { dir, recipient, keyFile, keyCreated: created, files: [...Object.keys(files), `fleet/${HASH_KEY_FILE}`], action: action ? actionRef(action) : null };
}

async function ensureAgeKey(): Promise<{ recipient: string; keyFile: string; created: boolean }> {
  const keyFile = process.env.SOPS_AGE_KEY_FILE || defaultKeyFile();
  const existing = (await findAgeIdentities()).find((i) => i.source.includes(keyFile));
  if (existing) return { recipient: existing.recipient, keyFile, created: false };
  const { identity, recipient } = await generateAgeIdentity();
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  await writeFile(keyFile, `# created: ${new Date().toISOString()} by clawctl init\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600, flag: 'a' });
  return { recipient, keyFile, created: true };
}

function fleetYaml(name: string): string {
  return `# yaml-language-server: $schema=../schemas/fleet.schema.json
apiVersion: clawctl.dev/v1
kind: Fleet
metadata:
  name: ${name}
spec:
  defaults:
    config:
      gateway:
        mode: local
        bind: loopback
    # Keys OpenClaw writes itself (onboarding, its own bookkeeping) are not drift.
    ignoreDifferences:
      - file: openclaw.json
        jsonPointers: [/meta, /wizard]
  rollout:
    maxUnavailable: 1
    healthTimeoutSeconds: 60
  secrets:
    # Keys the hashes plans print for secret values, so they can't be looked up.
    hashKey: {sops: ${HASH_KEY_FILE}, key: hashKey}
  # The observation key, for pull-request plans and drift checks: hosts accept it only for
  # clawctl's facts script. Make it: ssh-keygen -t ed25519 -N '' -C clawctl-observer -f observe
  # Put observe.pub below, apply once with your own key (that installs it on every host), and
  # store the private half as the repository secret CLAWCTL_OBSERVE_SSH_KEY.
  # observer:
  #   publicKey: ssh-ed25519 AAAA… clawctl-observer
`;
}
