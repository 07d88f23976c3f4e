import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { startSecretsManager, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, type SecretsManagerServer } from '../servers/secrets-manager.js';

const SECRET = 'sk-test-abc123-do-not-print';
const ROTATED = 'sk-test-rotated-never-print';

/** secretRefs to AWS Secrets Manager, through the real SDK against a local wire-compatible server. */
describe('AWS Secrets Manager secretRefs', () => {
  let root: string;
  let aws: SecretsManagerServer;
  let env: NodeJS.ProcessEnv;
  const home = () => join(root, 'home');

  const fleet = (ref: { aws: string; key: string }) => {
    mkdirSync(join(root, 'fleet'), { recursive: true });
    writeFileSync(
      join(root, 'fleet', 'fleet.yaml'),
      `${LOCAL_FLEET('s')}
---
${LOCAL_HOST}
---
apiVersion: clawctl.dev/v1
kind: Agent
metadata: {name: a}
spec:
  host: h
  env:
    OPENAI_API_KEY:
      secretRef: {aws: ${ref.aws}, key: ${ref.key}}
`,
    );
  };
  const run = (...args: string[]) => clawctl(args, { cwd: root, env });
  const noSecretIn = (...texts: string[]) => {
    for (const t of texts) {
      expect(t).not.toContain(SECRET);
      expect(t).not.toContain(ROTATED);
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-aws-'));
    aws = await startSecretsManager({ 'prod/openai': JSON.stringify({ OPENAI_API_KEY: SECRET }) });
    env = { AWS_ENDPOINT_URL: aws.url, AWS_REGION: aws.region, AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY };
    fleet({ aws: 'prod/openai', key: 'OPENAI_API_KEY' });
  });

  afterAll(async () => {
    await aws.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('validate never reads secrets', async () => {
    const res = await run('validate');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(aws.calls).toEqual([]);
  });

  it('plans and applies the value into .env only, showing a keyed hash everywhere else', async () => {
    const out = join(root, 'plan.json');
    const plan = await run('plan', '--out', out);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toMatch(/\+ OPENAI_API_KEY = \(sensitive, sha256:[0-9a-f]{8}\)/);
    const json = await run('plan', '--json');
    noSecretIn(plan.stdout, plan.stderr, json.stdout, json.stderr, readFileSync(out, 'utf8'));
    expect(aws.calls.filter((c) => c === 'GetSecretValue').length).toBe(2);

    const apply = await run('apply', out, '--json');
    expect(apply.code, apply.stderr).toBe(0);
    noSecretIn(apply.stdout, apply.stderr);
    expect(readFileSync(join(home(), '.openclaw', '.env'), 'utf8')).toContain(`OPENAI_API_KEY=${SECRET}`);
    const status = await run('agents', 'info', 'a', '--json');
    noSecretIn(status.stdout, status.stderr);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('shows a rotated secret as a change of hashes and writes the new value', async () => {
    aws.secrets.set('prod/openai', JSON.stringify({ OPENAI_API_KEY: ROTATED }));
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/~ OPENAI_API_KEY \(sensitive, sha256:[0-9a-f]{8}\) → \(sensitive, sha256:[0-9a-f]{8}\)/);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code).toBe(0);
    noSecretIn(plan.stdout, plan.stderr, apply.stdout, apply.stderr);
    expect(readFileSync(join(home(), '.openclaw', '.env'), 'utf8')).toContain(`OPENAI_API_KEY=${ROTATED}`);
    // apply ran (its audit entry is there) and let go of its lock
    const state = join(root, '.clawctl');
    expect(readFileSync(join(state, 'audit.jsonl'), 'utf8')).toContain('"action":"apply"');
    expect(existsSync(join(state, 'lock'))).toBe(false);
  });

  it('names the manifest line of an unknown secret or key, exits 1 and writes nothing', async () => {
    const before = readFileSync(join(home(), '.openclaw', '.env'), 'utf8');
    fleet({ aws: 'prod/missing', key: 'OPENAI_API_KEY' });
    const missing = await run('apply', '--auto-approve');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^fleet\/fleet\.yaml:20:\d+: AWS Secrets Manager has no secret prod\/missing$/m);
    fleet({ aws: 'prod/openai', key: 'NOPE' });
    const noKey = await run('plan');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^fleet\/fleet\.yaml:20:\d+: aws:prod\/openai has no key "NOPE"$/m);
    noSecretIn(missing.stdout, missing.stderr, noKey.stdout, noKey.stderr);
    expect(readFileSync(join(home(), '.openclaw', '.env'), 'utf8')).toBe(before);
  });

  it('secrets set|get|list|rm|rotate work on AWS like on SOPS files', async () => {
    fleet({ aws: 'prod/openai', key: 'OPENAI_API_KEY' });
    const set = await clawctl(['secrets', 'set', 'aws:prod/telegram', 'TELEGRAM_BOT_TOKEN'], { cwd: root, env, stdin: `${SECRET}-tg\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(aws.calls).toContain('CreateSecret');
    expect(JSON.parse(aws.secrets.get('prod/telegram')!)).toEqual({ TELEGRAM_BOT_TOKEN: `${SECRET}-tg` });
    const get = await run('secrets', 'get', 'aws:prod/telegram', 'TELEGRAM_BOT_TOKEN');
    expect(get.stdout).toMatch(/^aws:prod\/telegram TELEGRAM_BOT_TOKEN: \(sensitive, sha256:[0-9a-f]{8}\)$/m);
    const names = JSON.parse((await run('secrets', 'list', 'aws:prod/*', '--json')).stdout).secrets.map((s: { location: string }) => s.location);
    expect(names).toEqual(['aws:prod/openai', 'aws:prod/telegram']);
    const overview = JSON.parse((await run('secrets', 'list', '--json')).stdout).secrets;
    expect(overview).toEqual([{ location: 'aws:prod/openai', exists: true, lastChanged: expect.any(String), usedBy: { OPENAI_API_KEY: ['a'] } }]);
    const rotate = await clawctl(['secrets', 'rotate', 'aws:prod/openai', 'OPENAI_API_KEY', '--no-plan', '--json'], { cwd: root, env, stdin: SECRET });
    expect(rotate.code, rotate.stderr).toBe(0);
    // --json: the document alone; who uses the secret is in it, nothing human on stderr.
    expect(rotate.stderr).toBe('');
    expect(JSON.parse(rotate.stdout).usedBy).toEqual(['a']);
    expectOutputSchema('secrets rotate', JSON.parse(rotate.stdout));
    expectOutputSchema('secrets set', JSON.parse((await clawctl(['secrets', 'set', 'aws:prod/telegram', 'X', '--json'], { cwd: root, env, stdin: 'x' })).stdout));
    expectOutputSchema('secrets get', JSON.parse((await run('secrets', 'get', 'aws:prod/telegram', 'X', '--json')).stdout));
    expect(aws.calls).toContain('PutSecretValue');
    const inUse = await run('secrets', 'rm', 'aws:prod/openai', 'OPENAI_API_KEY');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('used by a');
    expect((await run('secrets', 'rm', 'aws:prod/telegram', 'TELEGRAM_BOT_TOKEN')).code).toBe(0);
    expect(JSON.parse(aws.secrets.get('prod/telegram')!)).toEqual({ X: 'x' });
    noSecretIn(set.stdout, set.stderr, get.stdout, get.stderr, rotate.stdout, rotate.stderr, readFileSync(join(root, '.clawctl', 'audit.jsonl'), 'utf8'));
  });

  it('secrets list reads every page of ListSecrets, empty filtered pages included', async () => {
    // Creation order after the tests above: prod/openai prod/telegram, then these. The server
    // pages by 3 and filters within a page, as AWS does: [openai telegram dev/0] [dev/1-3]
    // [dev/4-6] [prod/late-0 prod/late-1]: the two pages between hold no prod/ secret.
    for (let i = 0; i < 7; i++) aws.secrets.set(`dev/${i}`, '{}');
    aws.secrets.set('prod/late-0', '{}');
    aws.secrets.set('prod/late-1', '{}');
    const before = aws.calls.length;
    const res = await run('secrets', 'list', 'aws:prod/*', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).secrets.map((s: { location: string }) => s.location)).toEqual(['aws:prod/openai', 'aws:prod/telegram', 'aws:prod/late-0', 'aws:prod/late-1']);
    expect(aws.calls.slice(before)).toEqual(['ListSecrets', 'ListSecrets', 'ListSecrets', 'ListSecrets']);
    const everything = JSON.parse((await run('secrets', 'list', 'aws:', '--json')).stdout).secrets;
    expect(everything).toHaveLength(11);
  });

  it('a wrong secret key or an unknown key id is refused by AWS, reported with a hint, the key never printed', async () => {
    const before = aws.calls.length;
    const wrongSecret = 'wrong-secret-key-never-print';
    const bad = await clawctl(['plan', '--decrypt'], { cwd: root, env: { ...env, AWS_SECRET_ACCESS_KEY: wrongSecret } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/AWS Secrets Manager, secret prod\/openai: InvalidSignatureException: The request signature we calculated does not match the signature you provided/);
    expect(bad.stderr).toContain('check AWS credentials');
    const unknown = await clawctl(['secrets', 'get', 'aws:prod/openai', 'OPENAI_API_KEY'], { cwd: root, env: { ...env, AWS_ACCESS_KEY_ID: 'AKIDNOBODY' } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UnrecognizedClientException: The security token included in the request is invalid.');
    expect(aws.calls.length).toBe(before); // nothing reached an operation
    expect(aws.refused).toEqual(expect.arrayContaining(['InvalidSignatureException', 'UnrecognizedClientException']));
    for (const t of [bad.stdout, bad.stderr, unknown.stdout, unknown.stderr]) {
      expect(t).not.toContain(wrongSecret);
      expect(t).not.toContain(TEST_SECRET_ACCESS_KEY);
    }
    noSecretIn(bad.stdout, bad.stderr, unknown.stdout, unknown.stderr);
  });
});
