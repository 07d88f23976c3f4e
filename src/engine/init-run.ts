import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
}

const HASH_KEY_FILE = 'secrets/clawctl.sops.yaml';
/** The GitOps loop: plan comments on pull requests, apply on merge (written to the fleet repo's `.github/workflows/`). */
const WORKFLOWS = ['clawctl-plan.yml', 'clawctl-apply.yml'];
const TEMPLATES = new URL('../../.github/workflows/templates/', import.meta.url);

/**
 * A new fleet repo: fleet/ with a Fleet manifest, .sops.yaml for the user's age key (made
 * outside the repo when there is none), and the per-fleet key that keys plan hashes, in a
 * SOPS file so only key holders can compute hashes.
 */
export async function initFleetRepo(dir: string, name: string, clawctlVersion: string): Promise<InitResult> {
  const fleetDir = join(dir, 'fleet');
  if ((await readdir(fleetDir).catch(() => [])).length > 0) {
    throw new ClawctlError(`${fleetDir} already holds files; nothing was written`, [{ message: `${fleetDir} is not empty`, hint: 'run `clawctl init` in a new directory' }]);
  }
  const { recipient, keyFile, created } = await ensureAgeKey();
  const files: Record<string, string> = {
    '.sops.yaml': `# Whom SOPS files are encrypted for (sops and clawctl both read this).\n# New files are encrypted for these age recipients (comma-separated: add teammates and CI);\n# re-wrap an existing file for a changed list with \`sops updatekeys FILE\`.\ncreation_rules:\n  - path_regex: fleet/secrets/.*\\.sops\\.ya?ml$\n    age: ${recipient}\n`,
    '.gitignore': '.clawctl/lock\n.clawctl/*.lock\n.clawctl/audit-git/\n',
    'fleet/fleet.yaml': fleetYaml(name),
    'fleet/hosts/.gitkeep': '',
    'fleet/agents/.gitkeep': '',
  };
  // A repo that already has its own workflows keeps them.
  for (const w of WORKFLOWS) {
    const rel = `.github/workflows/${w}`;
    if (!existsSync(join(dir, rel))) files[rel] = (await readFile(new URL(w, TEMPLATES), 'utf8')).replaceAll('{{CLAWCTL_VERSION}}', clawctlVersion);
  }
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
  return { dir, recipient, keyFile, keyCreated: created, files: [...Object.keys(files), `fleet/${HASH_KEY_FILE}`] };
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
  return `# yaml-language-server: $schema=https://clawctl.dev/schemas/v1/fleet.schema.json
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
  rollout:
    maxUnavailable: 1
    healthTimeoutSeconds: 60
  secrets:
    # Keys the hashes plans print for secret values, so they can't be looked up.
    hashKey: {sops: ${HASH_KEY_FILE}, key: hashKey}
`;
}
