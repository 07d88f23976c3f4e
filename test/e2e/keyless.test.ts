import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { LOCAL_HOST } from '../harness/local-fleet.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startSecretsManager, type SecretsManagerServer } from '../servers/secrets-manager.js';

const TOKEN = 'test-token-for-the-local-github';
const TELEGRAM = '123456789:AAkeyless-telegram-token-never-print';
const OPENAI = 'sk-keyless-openai-key-never-print';
const ROTATED = 'sk-rotated-outside-clawctl-never-print';

/**
 * Agents hold no keys: plan, diagnose, propose and the pull-request plan comment run with no
 * age identity and no AWS credentials, from the fleet's record of keyed hashes; only apply
 * decrypts, and it refuses a record that no longer matches the values.
 */
describe('keyless: an agent reads, diagnoses and proposes without holding a key', () => {
  let root: string;
  let work: string;
  let bare: string;
  let gh: GitHubServer;
  let aws: SecretsManagerServer;
  let keyed: NodeJS.ProcessEnv;
  let keyless: NodeJS.ProcessEnv;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env: { ...process.env, ...keyed }, encoding: 'utf8' });
  const run = (env: NodeJS.ProcessEnv, args: string[], stdin?: string) => clawctl(args, { cwd: work, env, ...(stdin !== undefined ? { stdin } : {}) });
  const noSecret = (...texts: string[]) => {
    for (const t of texts) for (const v of [TELEGRAM, OPENAI, ROTATED]) expect(t).not.toContain(v);
  };
  const withoutTime = (json: string) => ({ ...JSON.parse(json), created_at: undefined });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-keyless-'));
    work = join(root, 'work');
    bare = join(root, 'remote.git');
    aws = await startSecretsManager({ 'prod/openai': JSON.stringify({ OPENAI_API_KEY: OPENAI }) });
    const awsCreds = { AWS_ENDPOINT_URL: aws.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' };
    const gitEnv = {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ops Bot',
      GIT_AUTHOR_EMAIL: 'ops-bot@example.com',
      GIT_COMMITTER_NAME: 'Ops Bot',
      GIT_COMMITTER_EMAIL: 'ops-bot@example.com',
      GITHUB_ACTIONS: '',
      GITHUB_TOKEN: TOKEN,
    };
    keyed = { ...gitEnv, ...awsCreds, XDG_CONFIG_HOME: join(root, 'operator-config'), SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '' };
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    expect((await run(keyed, ['init', '.', '--name', 'acme'])).code).toBe(0);
    expect((await run(keyed, ['secrets', 'set', 'secrets/prod.sops.yaml', 'TELEGRAM_BOT_TOKEN'], `${TELEGRAM}\n`)).code).toBe(0);
    mkdirSync(join(work, 'home'));
    writeFileSync(
      join(work, 'fleet', 'agents.yaml'),
      `${LOCAL_HOST}
---
apiVersion: clawctl.dev/v1
kind: Agent
metadata: {name: support}
spec:
  host: h
  openclaw: {config: {gateway: {mode: local, bind: loopback, port: 18789}}}
  env:
    TELEGRAM_BOT_TOKEN: {secretRef: {sops: secrets/prod.sops.yaml, key: TELEGRAM_BOT_TOKEN}}
    OPENAI_API_KEY: {secretRef: {aws: prod/openai, key: OPENAI_API_KEY}}
`,
    );
    // The AWS value was made in AWS, not by clawctl: record it once, with the keys.
    const rehash = await run(keyed, ['secrets', 'rehash', '--json']);
    expect(rehash.code, rehash.stderr).toBe(0);
    expect(JSON.parse(rehash.stdout)).toMatchObject({ recorded: 2, file: 'secrets/clawctl-hashes.yaml' });
    const hashKey = await run(keyed, ['secrets', 'get', 'secrets/clawctl.sops.yaml', 'hashKey', '--reveal', '--force']);
    keyless = {
      ...gitEnv,
      XDG_CONFIG_HOME: join(root, 'agent-config'),
      SOPS_AGE_KEY: '',
      SOPS_AGE_KEY_FILE: '',
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      CLAWCTL_HASH_KEY: hashKey.stdout.trim(),
    };
    writeFileSync(join(work, '.gitignore'), 'home/\n.clawctl/\n', { flag: 'a' });
    git('add', '-A');
    git('commit', '-q', '-m', 'fleet');
    git('remote', 'add', 'origin', bare);
    git('push', '-q', 'origin', 'main');
    gh = await startGitHub({ owner: 'acme', repo: 'fleet', token: TOKEN, bareRepo: bare });
    keyed.GITHUB_API_URL = gh.url;
    keyless.GITHUB_API_URL = gh.url;
  });
  afterAll(async () => {
    await gh?.close();
    await aws?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('plans without a key exactly as with one, byte for byte in --json', async () => {
    const callsBefore = aws.calls.length;
    const noKey = await run(keyless, ['plan', '--json']);
    expect(noKey.code, noKey.stderr).toBe(0);
    expect(aws.calls.length).toBe(callsBefore); // nothing fetched from AWS
    // The same plan made by decrypting every value, as apply does.
    const withKey = await run(keyed, ['plan', '--json', '--decrypt']);
    expect(withKey.code, withKey.stderr).toBe(0);
    expect(aws.calls.length).toBeGreaterThan(callsBefore);
    expect(JSON.stringify(withoutTime(noKey.stdout))).toBe(JSON.stringify(withoutTime(withKey.stdout)));
    noSecret(noKey.stdout, noKey.stderr);
  });

  it('a plan made without a key is applied exactly by the operator who holds them', async () => {
    const plan = await run(keyless, ['plan', '--out', 'keyless-plan.json']);
    expect(plan.code, plan.stderr).toBe(0);
    const apply = await run(keyed, ['apply', 'keyless-plan.json']);
    expect(apply.code, apply.stderr).toBe(0);
    const dotenv = readFileSync(join(work, 'home', '.openclaw', '.env'), 'utf8');
    expect(dotenv).toContain(TELEGRAM);
    expect(dotenv).toContain(OPENAI);
    expect((await run(keyless, ['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('diagnoses, proposes and comments the plan on the pull request with no age identity and no AWS credentials', async () => {
    const diagnose = await run(keyless, ['diagnose', 'support', '--json']);
    expect(JSON.parse(diagnose.stdout).agent).toBe('support');
    expect(diagnose.stderr).not.toMatch(/age key|decrypt|credentials/i);
    const propose = await run(keyless, ['propose', '--title', 'support: log at debug', '--set', 'agent/support:spec.env.LOG_LEVEL=debug', '--repo', 'acme/fleet', '--json']);
    expect(propose.code, propose.stderr).toBe(0);
    expect(gh.pulls).toHaveLength(1);
    const event = join(root, 'event.json');
    writeFileSync(event, JSON.stringify({ action: 'opened', number: 1, pull_request: { number: 1 } }));
    git('fetch', '-q', 'origin', gh.pulls[0]!.head);
    git('checkout', '-q', 'FETCH_HEAD');
    const comment = await run(
      {
        ...keyless,
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'acme/fleet',
        GITHUB_RUN_ID: '7',
        GITHUB_SHA: 'b'.repeat(40),
        GITHUB_SERVER_URL: 'https://github.test',
      },
      ['plan', '--pr-comment'],
    );
    git('checkout', '-q', 'main');
    expect(comment.code, comment.stderr).toBe(0);
    expect(gh.comments.filter((c) => c.issue === 1)[0]!.body).toContain('+ LOG_LEVEL');
    noSecret(diagnose.stdout, diagnose.stderr, propose.stdout, propose.stderr, comment.stdout, comment.stderr, gh.pulls[0]!.body, ...gh.comments.map((c) => c.body));
  });

  it('apply refuses a value changed behind the record: a SOPS file re-encrypted by hand, a secret rotated in AWS', async () => {
    // The record is a commitment apply checks: here a value changes outside clawctl.
    aws.secrets.set('prod/openai', JSON.stringify({ OPENAI_API_KEY: ROTATED }));
    const apply = await run(keyed, ['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stderr).toMatch(/fleet\/agents\.yaml:\d+:\d+: aws:prod\/openai#OPENAI_API_KEY: the value does not match its hash in secrets\/clawctl-hashes\.yaml: it was changed outside clawctl/);
    expect(readFileSync(join(work, 'home', '.openclaw', '.env'), 'utf8')).toContain(OPENAI);
    // The hash record edited by hand is caught the same way.
    aws.secrets.set('prod/openai', JSON.stringify({ OPENAI_API_KEY: OPENAI }));
    const record = join(work, 'fleet', 'secrets', 'clawctl-hashes.yaml');
    const saved = readFileSync(record, 'utf8');
    writeFileSync(record, saved.replace(/(prod\.sops\.yaml#TELEGRAM_BOT_TOKEN"?: )[0-9a-f]{64}/, `$1${'0'.repeat(64)}`));
    const edited = await run(keyed, ['apply', '--auto-approve']);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('secrets/prod.sops.yaml#TELEGRAM_BOT_TOKEN: the value does not match its hash');
    writeFileSync(record, saved);
    noSecret(apply.stdout, apply.stderr, edited.stdout, edited.stderr);
  });
});
