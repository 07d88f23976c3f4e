import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_HOST } from '../harness/local-fleet.js';
import { ageIdentityIn } from '../harness/age-key.js';
import { clawctl, type CliResult } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';

const SECRET = 'sk-sops-first-value-never-print';
const ROTATED = 'sk-sops-rotated-value-never-print';
const TOKEN = '123456789:AAsops-bot-token-never-print';

/**
 * The SOPS workflow a user follows: clawctl init, secrets set from stdin, a secretRef in a
 * manifest, plan/apply, rotate; and every bad input refused at the manifest's file:line.
 * Every output and every file clawctl keeps is checked for the values.
 */
describe('SOPS secrets, from clawctl init to a rotated .env', () => {
  let root: string;
  let strangerKey: string;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  let pristine = '';
  const run = async (args: string[], stdin?: string): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: root, env, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const dotenv = () => readFileSync(join(root, 'home', '.openclaw', '.env'), 'utf8');
  const agents = (ref: string) =>
    writeFileSync(
      join(root, 'fleet', 'agents.yaml'),
      `${LOCAL_HOST}
---
apiVersion: clawctl.dev/v1
kind: Agent
metadata: {name: support}
spec:
  host: h
  env:
    OPENAI_API_KEY:
      secretRef: ${ref}
    TELEGRAM_BOT_TOKEN:
      secretRef: {sops: secrets/prod.sops.yaml, key: telegram.token}
`,
    );

  beforeAll(async () => {
    // A key of nobody's: made here, at run time, and listed in no .sops.yaml.
    strangerKey = await generateX25519Identity();
    root = mkdtempSync(join(tmpdir(), 'clawctl-sops-e2e-'));
    execFileSync('git', ['init', '-q', root]);
    env = { XDG_CONFIG_HOME: join(root, 'user-config'), SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'T', GITHUB_ACTIONS: '' };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('init makes an age key outside the repo, .sops.yaml and an encrypted hash key', async () => {
    const res = await run(['init', '.', '--name', 'prod']);
    expect(res.code, res.stderr).toBe(0);
    expect((await run(['init', '.', '--json'])).code).toBe(1); // never over an existing fleet
    const keyFile = join(root, 'user-config', 'sops', 'age', 'keys.txt');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const recipient = /age1[0-9a-z]+/.exec(res.stdout)![0];
    expect(readFileSync(join(root, '.sops.yaml'), 'utf8')).toContain(recipient);
    expect(readFileSync(join(root, 'fleet', 'secrets', 'clawctl.sops.yaml'), 'utf8')).toMatch(/^hashKey: ENC\[AES256_GCM,/m);
    expect(res.stdout).not.toContain('AGE-SECRET-KEY');
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    for (const w of ['clawctl-plan.yml', 'clawctl-apply.yml', 'clawctl-drift.yml']) expect(readFileSync(join(root, '.github', 'workflows', w), 'utf8')).toContain(`(clawctl ${version})`);
  });

  it('secrets set encrypts for the .sops.yaml recipients; sops-age decrypts it', async () => {
    expect((await run(['secrets', 'set', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY'], `${SECRET}\n`)).code).toBe(0);
    const set = await run(['secrets', 'set', 'secrets/prod.sops.yaml', 'telegram.token', '--from-env', 'TOKEN_VAR'].concat([]), undefined);
    expect(set.code).toBe(1); // TOKEN_VAR unset
    env.TOKEN_VAR = TOKEN;
    expect((await run(['secrets', 'set', 'secrets/prod.sops.yaml', 'telegram.token', '--from-env', 'TOKEN_VAR'])).code).toBe(0);
    delete env.TOKEN_VAR;
    const file = readFileSync(join(root, 'fleet', 'secrets', 'prod.sops.yaml'), 'utf8');
    const identity = ageIdentityIn(join(root, 'user-config', 'sops', 'age', 'keys.txt'));
    expect(await decryptSops(file, { secretKey: identity, fileType: 'yaml' })).toEqual({ OPENAI_API_KEY: SECRET, telegram: { token: TOKEN } });
    const list = await run(['secrets', 'list', '--json']);
    expectOutputSchema('secrets list', JSON.parse(list.stdout));
    expect(JSON.parse(list.stdout).secrets.map((s: { location: string; keys: string[] }) => [s.location, s.keys])).toEqual([
      ['secrets/clawctl.sops.yaml', ['hashKey']],
      ['secrets/prod.sops.yaml', ['OPENAI_API_KEY', 'telegram.token']],
    ]);
  });

  it('plans and applies the values into .env only, then a rotation as a change of hashes', async () => {
    agents('{sops: secrets/prod.sops.yaml, key: OPENAI_API_KEY}');
    expect((await run(['validate'])).code).toBe(0);
    const out = join(root, 'plan.json');
    const plan = await run(['plan', '--out', out]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/\+ OPENAI_API_KEY = \(sensitive, sha256:[0-9a-f]{8}\)/);
    const apply = await run(['apply', out]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(dotenv()).toContain(`OPENAI_API_KEY=${SECRET}`);
    expect(dotenv()).toContain(`TELEGRAM_BOT_TOKEN=${TOKEN}`);

    const hashed = await run(['secrets', 'get', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY']);
    const before = /sha256:[0-9a-f]{8}/.exec(hashed.stdout)![0];
    expect(plan.stdout).toContain(before); // the same keyed hash as plan shows
    const rotate = await run(['secrets', 'rotate', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY'], ROTATED);
    // (the --json form is checked against its schema in the AWS test)
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stdout).toContain('Used by support');
    expect(rotate.stdout).toMatch(new RegExp(`~ OPENAI_API_KEY \\(sensitive, ${before}\\) → \\(sensitive, sha256:[0-9a-f]{8}\\)`));
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    expect(dotenv()).toContain(`OPENAI_API_KEY=${ROTATED}`);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await run(['status'])).code).toBe(0);
    const diagnosis = await run(['diagnose', 'support', '--json']);
    expect(diagnosis.code).toBe(1); // no OpenClaw on this local host: diagnosed, not crashed
    expect(JSON.parse(diagnosis.stdout).cause.summary).toContain('OpenClaw is not installed');
    expect((await run(['agents', 'info', 'support', '--json'])).code).toBe(0);
  });

  it('get --reveal prints only to a terminal or with --force, and every read is audited', async () => {
    const refused = await run(['secrets', 'get', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY', '--reveal']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('only to a terminal');
    const forced = await clawctl(['secrets', 'get', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY', '--reveal', '--force'], { cwd: root, env });
    expect(forced.stdout).toBe(`${ROTATED}\n`); // not added to `outputs`: it is the one place a value may appear
    const log = await run(['audit', 'log', '--action', 'secret', '--json']);
    expectOutputSchema('audit log', JSON.parse(log.stdout));
    const entries = JSON.parse(log.stdout).entries as { action: string; target: string; details?: { revealed?: boolean } }[];
    expect(entries.some((e) => e.target === 'secrets/prod.sops.yaml#OPENAI_API_KEY' && e.details?.revealed === true)).toBe(true);
    expect(entries.filter((e) => e.action === 'secret.read' && e.target === 'secrets/prod.sops.yaml').length).toBeGreaterThanOrEqual(1);
    pristine = readFileSync(join(root, 'fleet', 'secrets', 'prod.sops.yaml'), 'utf8');
    const verify = await run(['audit', 'verify', '--json']);
    expect(verify.code).toBe(0);
    expectOutputSchema('audit verify', JSON.parse(verify.stdout));
  });

  it.each([
    ['a missing key path', () => agents('{sops: secrets/prod.sops.yaml, key: nope.nothing}'), /^fleet\/agents\.yaml:13:\d+: secrets\/prod\.sops\.yaml has no key "nope\.nothing"$/m],
    ['a file outside the fleet', () => agents('{sops: ../outside.sops.yaml, key: x}'), /^fleet\/agents\.yaml:13:\d+: \.\.\/outside\.sops\.yaml is outside the fleet directory/m],
    [
      'a symlink out of the fleet',
      () => {
        writeFileSync(join(root, 'elsewhere.sops.yaml'), 'x: 1\n');
        symlinkSync(join(root, 'elsewhere.sops.yaml'), join(root, 'fleet', 'secrets', 'link.sops.yaml'));
        agents('{sops: secrets/link.sops.yaml, key: x}');
      },
      /^fleet\/agents\.yaml:13:\d+: secrets\/link\.sops\.yaml is outside the fleet directory/m,
    ],
    [
      'no age key',
      () => {
        agents('{sops: secrets/prod.sops.yaml, key: OPENAI_API_KEY}');
        env.XDG_CONFIG_HOME = join(root, 'nobody');
      },
      /^fleet\/agents\.yaml:13:\d+: no age key to decrypt .*prod\.sops\.yaml: looked in SOPS_AGE_KEY/m,
    ],
    [
      'the wrong age key',
      () => {
        env.XDG_CONFIG_HOME = join(root, 'user-config');
        env.SOPS_AGE_KEY = strangerKey;
        env.XDG_CONFIG_HOME = join(root, 'nobody');
      },
      /^fleet\/agents\.yaml:13:\d+: none of your age keys can decrypt/m,
    ],
    [
      'a tampered file',
      () => {
        env.SOPS_AGE_KEY = '';
        env.XDG_CONFIG_HOME = join(root, 'user-config');
        const path = join(root, 'fleet', 'secrets', 'prod.sops.yaml');
        writeFileSync(path, readFileSync(path, 'utf8').replace(/^(\s+token: )(.*)$/m, `$1${/^OPENAI_API_KEY: (.*)$/m.exec(readFileSync(path, 'utf8'))![1]}`));
      },
      /^fleet\/agents\.yaml:13:\d+: .*prod\.sops\.yaml: the value of telegram\.token does not decrypt/m,
    ],
  ])('refuses %s at the manifest line, exit 1, nothing written', async (_name, setup, message) => {
    const before = dotenv();
    setup();
    const res = await run(['apply', '--auto-approve']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
    expect(dotenv()).toBe(before);
  });

  it('a failing apply reports the failure without the values', async () => {
    // The tampering above stays in the file; take it back as a user would, from git's copy.
    writeFileSync(join(root, 'fleet', 'secrets', 'prod.sops.yaml'), pristine);
    agents('{sops: secrets/prod.sops.yaml, key: OPENAI_API_KEY}');
    expect((await run(['secrets', 'rotate', 'secrets/prod.sops.yaml', 'OPENAI_API_KEY', '--no-plan'], SECRET)).code).toBe(0);
    const state = join(root, 'home', '.openclaw');
    renameSync(state, `${state}.saved`);
    writeFileSync(state, 'not a directory\n');
    const failed = await run(['apply', '--auto-approve']);
    rmSync(state);
    renameSync(`${state}.saved`, state);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/support/);
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(dotenv()).toContain(`OPENAI_API_KEY=${SECRET}`);
  });

  it('no value ever reached an output, a saved plan or a file under .clawctl/', () => {
    const kept = existsSync(join(root, '.clawctl'))
      ? readdirSync(join(root, '.clawctl'), { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      : [];
    expect(kept.length).toBeGreaterThan(0);
    for (const text of [...outputs, ...kept, readFileSync(join(root, 'plan.json'), 'utf8')]) {
      for (const secret of [SECRET, ROTATED, TOKEN]) expect(text).not.toContain(secret);
    }
  });
});
