import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import type { Plan } from '../../src/plan/plan.js';

/** Policy through the CLI: violations across files, exit 3 with nothing applied, approvals, the baseline. */
describe('policy on validate, plan and apply', () => {
  let root: string;
  const env = { GITHUB_ACTIONS: '', GITHUB_EVENT_NAME: '' };
  const run = (...args: string[]) => clawctl(args, { cwd: root, env });
  const write = (file: string, text: string) => {
    mkdirSync(join(root, 'fleet', file, '..'), { recursive: true });
    writeFileSync(join(root, 'fleet', file), text);
  };
  const agent = (name: string, labels: string, extra = '') => `apiVersion: clawctl.dev/v1
kind: Agent
metadata:
  name: ${name}
  labels: ${labels}
spec:
  host: h
  openclaw:
    profile: ${name}
    config:
      gateway: {port: ${name === 'support' ? 18789 : 18800}}
${extra}`;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-policy-'));
    write(
      'fleet.yaml',
      `${LOCAL_FLEET('p')}
---
${LOCAL_HOST}
`,
    );
    write(
      'policies/prod.yaml',
      `apiVersion: clawctl.dev/v1
kind: Policy
metadata: {name: prod-guardrails}
spec:
  match:
    matchLabels: {env: prod}
  rules:
    - name: owner
      requiredLabels: [owner]
    - name: approved-channels
      message: 'channel "{value}" is not allowed in prod'
      allowedChannels: [telegram]
    - name: env-changes
      requireApproval: [{action: env-change}]
`,
    );
    write('agents/support.yaml', agent('support', '{env: prod, owner: ana}', '      channels:\n        discord: {enabled: true}\n'));
    write('agents/sales.yaml', agent('sales', '{env: prod}'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists every violation with policy, rule, object and file:line, exits 3 and applies nothing', async () => {
    const validate = await run('validate');
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('prod-guardrails/owner: agent sales (fleet/agents/sales.yaml:');
    const plan = await run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout.split('\n')[0]).toBe('Policy: 2 violation(s); nothing will be applied:');
    expect(plan.stdout).toMatch(/✗ prod-guardrails\/approved-channels: agent support \(fleet\/agents\/support\.yaml:13:9\): channel "discord" is not allowed in prod/);
    const json = await run('plan', '--json');
    expect(json.code).toBe(3);
    const parsed = JSON.parse(json.stdout) as Plan;
    expectOutputSchema('plan', parsed);
    expect(parsed.policy.violations.map((v) => `${v.policy}/${v.rule} ${v.object.name} ${v.file}`)).toEqual([
      'prod-guardrails/owner sales fleet/agents/sales.yaml',
      'prod-guardrails/approved-channels support fleet/agents/support.yaml',
    ]);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code).toBe(3);
    expect(apply.stderr).toContain('refused by policy: 2 violation(s); nothing was applied');
    expect(existsSync(join(root, 'home'))).toBe(false);
    const log = JSON.parse((await run('audit', 'log', '--action', 'policy', '--json')).stdout) as { entries: { result: string; details: { rule: string } }[] };
    expect(log.entries.map((e) => `${e.details.rule} ${e.result}`)).toEqual(['prod-guardrails/owner denied', 'prod-guardrails/approved-channels denied']);
  });

  it('holds an action for approval until `apply --approve`, in a human-triggered run only, and audits it', async () => {
    write('agents/support.yaml', agent('support', '{env: prod, owner: ana}', '      channels:\n        telegram: {enabled: false}\n'));
    write('agents/sales.yaml', agent('sales', '{env: prod, owner: bo}'));
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    write('agents/sales.yaml', `${agent('sales', '{env: prod, owner: bo}')}  env:\n    LOG_LEVEL: debug\n`);
    const plan = await run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain('needs approval');
    expect(plan.stdout).toContain('approve with --approve prod-guardrails/env-changes');
    expect((await run('apply', '--auto-approve')).code).toBe(3);
    const typo = await run('apply', '--auto-approve', '--approve', 'prod-guardrails/env-change');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('approves nothing');
    const fromPush = await clawctl(['apply', '--auto-approve', '--approve', 'prod-guardrails/env-changes'], {
      cwd: root,
      env: { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_RUN_ID: '7' },
    });
    expect(fromPush.code).toBe(1);
    expect(fromPush.stderr).toContain('only accepted in a human-triggered run');
    const approved = await run('apply', '--auto-approve', '--approve', 'prod-guardrails/env-changes');
    expect(approved.code, approved.stderr).toBe(0);
    expect(readFileSync(join(root, 'home', '.openclaw-sales', '.env'), 'utf8')).toContain('LOG_LEVEL=debug');
    const log = JSON.parse((await run('audit', 'log', '--action', 'approval', '--json')).stdout) as { entries: { target: string; details: { rule: string } }[] };
    expect(log.entries.map((e) => `${e.target} ${e.details.rule}`)).toEqual(['agent/sales prod-guardrails/env-changes']);
    expect((await run('audit', 'verify')).code).toBe(0);
  });

  it('applies the security baseline unless a Policy opts out by name, and plan lists the opt-out', async () => {
    write('agents/sales.yaml', `${agent('sales', '{env: prod, owner: bo}')}  env:\n    LOG_LEVEL: debug\n    OPENAI_API_KEY: sk-proj-abcdefghijklmnopqrstuvwxyz012345\n`);
    const plan = await run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(/baseline\/secret-literals: agent sales \(fleet\/agents\/sales\.yaml:\d+:\d+\)/);
    expect(plan.stdout).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz012345');
    write('agents/sales.yaml', `${agent('sales', '{env: prod, owner: bo}')}  env:\n    LOG_LEVEL: debug\n`);
    write(
      'agents/support.yaml',
      agent('support', '{env: prod, owner: ana}', '      channels:\n        telegram: {enabled: false}\n').replace(
        'gateway: {port: 18789}',
        'gateway: {port: 18789, bind: lan, auth: {mode: token, token: "${OPENCLAW_GATEWAY_TOKEN}"}}',
      ),
    );
    expect((await run('plan')).stdout).toMatch(/baseline\/gateway-bind: agent support/);
    write(
      'policies/lan.yaml',
      `apiVersion: clawctl.dev/v1
kind: Policy
metadata: {name: lan-gateway}
spec:
  match: {matchLabels: {owner: ana}}
  disableBaseline:
    - {rule: gateway-bind, reason: "support is reached by the office LAN through a firewall"}
  rules: []
`,
    );
    const ok = await run('plan');
    expect(ok.stdout).toMatch(/Policy: baseline rule gateway-bind is off for support by lan-gateway \(fleet\/policies\/lan\.yaml:\d+:\d+\): support is reached by the office LAN/);
    expect(ok.code, ok.stdout).toBe(0);
  });
});
