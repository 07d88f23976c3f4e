import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { clawctl } from '../harness/cli.js';
import { startSecretsManager, type SecretsManagerServer } from '../servers/secrets-manager.js';

const REVIEWED = 'sk-reviewed-value-never-print';
const ROTATED = 'sk-rotated-after-review-never-print';

/**
 * Terraform's promise: a reviewed plan is applied exactly, or not at all. Apply derives the
 * plan again from the fleet and the hosts and refuses a saved one that differs in anything:
 * a secret rotated after review, an edited file, an entry added or changed by hand.
 */
describe('a saved plan is applied exactly as reviewed, or refused', () => {
  let root: string;
  let aws: SecretsManagerServer;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[]) => clawctl(args, { cwd: root, env });
  const agents = (port: number) =>
    writeFileSync(
      join(root, 'fleet', 'agents.yaml'),
      `apiVersion: clawctl.dev/v1
kind: Agent
metadata: {name: support}
spec:
  host: h
  openclaw: {config: {gateway: {port: ${port}}}}
  env:
    OPENAI_API_KEY: {secretRef: {aws: prod/openai, key: OPENAI_API_KEY}}
`,
    );
  const savePlan = async (name: string) => {
    const res = await run(['plan', '--out', name]);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(readFileSync(join(root, name), 'utf8'));
  };
  const tampered = (name: string, plan: unknown) => writeFileSync(join(root, name), JSON.stringify(plan));
  const dotenv = () => join(root, 'home', '.openclaw', '.env');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-saved-plan-'));
    mkdirSync(join(root, 'fleet'));
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('saved')}\n---\n${LOCAL_HOST}\n`);
    agents(18789);
    aws = await startSecretsManager({ 'prod/openai': JSON.stringify({ OPENAI_API_KEY: REVIEWED }) });
    env = { AWS_ENDPOINT_URL: aws.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' };
  });
  afterAll(async () => {
    await aws?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('never writes a secret rotated after the plan was reviewed, though no fleet file changed', async () => {
    await savePlan('first.json');
    aws.secrets.set('prod/openai', JSON.stringify({ OPENAI_API_KEY: ROTATED }));
    const res = await run(['apply', 'first.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('agent support: what apply would write differs from the reviewed plan: .env (a secret or value changed since the plan was made)');
    expect(res.stdout).not.toContain('clawctl will perform'); // refused before the plan is shown
    expect(existsSync(dotenv())).toBe(false);
    for (const text of [res.stdout, res.stderr, readFileSync(join(root, 'first.json'), 'utf8')]) {
      expect(text).not.toContain(REVIEWED);
      expect(text).not.toContain(ROTATED);
    }
    // A plan made now is applied, with the value it shows.
    await savePlan('second.json');
    expect((await run(['apply', 'second.json'])).code).toBe(0);
    expect(readFileSync(dotenv(), 'utf8')).toContain(ROTATED);
  });

  it('names the fleet files that changed since the plan was made', async () => {
    agents(18790);
    await savePlan('edited.json');
    agents(18791);
    const res = await run(['apply', 'edited.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the fleet directory changed since the plan was made: agents.yaml (edited)');
  });

  it('refuses a plan file edited by hand: an added removal, a changed version, a changed hash, a summary that hides it', async () => {
    agents(18792);
    const plan = await savePlan('base.json');
    expect(plan.changes).toHaveLength(1);

    const removal = structuredClone(plan);
    removal.changes.push({ agent: 'ghost', host: 'h', stateDir: '.openclaw-ghost', actions: [{ type: 'destroy', service: 'none' }] });
    tampered('removal.json', removal);
    let res = await run(['apply', 'removal.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("the plan file's summary does not count its own changes; the file was edited");
    expect(res.stderr).toContain('agent ghost: the plan file lists changes that the fleet and host h do not call for');

    const version = structuredClone(plan);
    version.changes[0].actions.push({ type: 'version', action: 'update', from: null, to: 'npm:left-pad@1.3.0' });
    tampered('version.json', version);
    res = await run(['apply', 'version.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("agent support: the plan file's actions differ from what the fleet and host h call for now");

    const digest = structuredClone(plan);
    digest.fingerprint.writes.support.config = 'hmac-sha256:0000';
    tampered('digest.json', digest);
    res = await run(['apply', 'digest.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('agent support: what apply would write differs from the reviewed plan: openclaw.json');

    const before = readFileSync(join(root, 'home', '.openclaw', 'openclaw.json'), 'utf8');
    expect(JSON.parse(before).gateway.port).toBe(18789);
    // The untouched plan still applies.
    expect((await run(['apply', 'base.json'])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'home', '.openclaw', 'openclaw.json'), 'utf8')).gateway.port).toBe(18792);
  });
});
