import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';

const FLEET = `apiVersion: clawctl.dev/v1
kind: Fleet
metadata:
  name: t
spec: {}
`;
const HOST = (name: string) => `apiVersion: clawctl.dev/v1
kind: Host
metadata:
  name: ${name}
spec:
  local:
    home: ../homes/${name}
`;

/** `clawctl validate` as a user meets it: every problem at its file:line:col, all in one run, exit 1. */
describe('clawctl validate', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-validate-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  let n = 0;
  async function validate(files: Record<string, string>, ...args: string[]) {
    const repo = join(root, `r${n++}`);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, 'fleet', path)), { recursive: true });
      writeFileSync(join(repo, 'fleet', path), text);
    }
    return clawctl(['validate', ...args], { cwd: repo });
  }

  const cases: { name: string; files: Record<string, string>; errors: string[] }[] = [
    {
      name: 'bad YAML',
      files: { 'fleet.yaml': FLEET, 'agents.yaml': 'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: [oops\n' },
      errors: ['fleet/agents.yaml:5:1: YAML syntax:'],
    },
    {
      name: 'a schema violation: an unknown field and a wrong type',
      files: {
        'fleet.yaml': FLEET,
        'hosts.yaml':
          'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata:\n  name: h1\nspec:\n  ssh:\n    address: 10.0.0.1\n    port: "22"\n    user: claw\n    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n    identity: ~/.ssh/id\n',
      },
      errors: ['fleet/hosts.yaml:8:11: spec.ssh.port must be integer', 'fleet/hosts.yaml:11:5: unknown field "identity" in spec.ssh'],
    },
    {
      name: 'a missing pinned host key',
      files: { 'fleet.yaml': FLEET, 'hosts.yaml': 'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata:\n  name: h1\nspec:\n  ssh:\n    address: 10.0.0.1\n    user: claw\n' },
      errors: ['fleet/hosts.yaml:7:5: spec.ssh is missing required field "hostKey"'],
    },
    {
      name: 'a dangling host reference',
      files: { 'fleet.yaml': FLEET, 'hosts.yaml': HOST('h1'), 'agent.yaml': 'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a1\nspec:\n  host: h2\n' },
      errors: ['fleet/agent.yaml:6:9: agent "a1" names host "h2", which no Host manifest defines\n  hint: known hosts: h1'],
    },
    {
      name: 'duplicate names',
      files: {
        'fleet.yaml': FLEET,
        'hosts.yaml': `${HOST('h1')}---\n${HOST('h1')}`,
      },
      errors: ['fleet/hosts.yaml:12:9: duplicate Host name "h1"\n  hint: first defined at fleet/hosts.yaml:4:9'],
    },
    {
      name: 'a profile clash on one host',
      files: {
        'fleet.yaml': FLEET,
        'hosts.yaml': HOST('h1'),
        'agents.yaml':
          'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a1\nspec:\n  host: h1\n  openclaw:\n    profile: p\n    config: {gateway: {port: 1}}\n---\napiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a2\nspec:\n  host: h1\n  openclaw:\n    profile: p\n    config: {gateway: {port: 2}}\n',
      },
      errors: ['fleet/agents.yaml:18:14: agents "a1" and "a2" on host "h1" share the profile p'],
    },
    {
      name: 'a gateway port clash on one host',
      files: {
        'fleet.yaml': FLEET,
        'hosts.yaml': HOST('h1'),
        'agents.yaml':
          'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a1\nspec:\n  host: h1\n---\napiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a2\nspec:\n  host: h1\n  openclaw:\n    profile: two\n',
      },
      errors: ['fleet/agents.yaml:15:5: agents "a1" and "a2" on host "h1" share the gateway port 18789'],
    },
    {
      // Unquoted, they would reach the host as 987654321098765400: refused, every one, before anything else is judged.
      name: 'Discord ids too large to keep exactly, as keys and values',
      files: {
        'fleet.yaml': FLEET,
        'hosts.yaml': HOST('h1'),
        'agents.yaml':
          'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a1\nspec:\n  host: h1\n  openclaw:\n    config:\n      channels:\n        discord:\n          guilds:\n            987654321098765432:\n              channels: [123456789012345678]\n',
        'more.yaml':
          'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a2\nspec:\n  host: h1\n  openclaw:\n    profile: two\n    config:\n      gateway: {port: 1.5}\n      channels: {discord: {guilds: {"111111111111111111": {}, 222222222222222222: {}}}}\n',
      },
      errors: [
        'fleet/agents.yaml:12:13: 987654321098765432 is too large to keep exactly; quote it: "987654321098765432"\n  hint: YAML reads an unquoted integer as a number',
        'fleet/agents.yaml:13:26: 123456789012345678 is too large to keep exactly; quote it: "123456789012345678"',
        'fleet/more.yaml:11:63: 222222222222222222 is too large to keep exactly; quote it: "222222222222222222"',
      ],
    },
    {
      name: 'no Fleet, an unknown kind',
      files: { 'x.yaml': 'apiVersion: clawctl.dev/v1\nkind: Gateway\nmetadata:\n  name: g\nspec: {}\n' },
      errors: ['fleet/x.yaml:2:7: unknown kind "Gateway"\n  hint: kind is one of: Fleet, Host, Agent, Policy', './fleet: no Fleet manifest\n  hint: a fleet needs exactly one document of kind: Fleet'],
    },
  ];

  for (const c of cases) {
    it(`reports ${c.name} at its file:line:col and exits 1`, async () => {
      const res = await validate(c.files);
      expect(res.code).toBe(1);
      for (const e of c.errors) expect(res.stderr).toContain(e);
      expect(res.stdout).toBe('');
    });
  }

  it('reports every problem across files in one run, and --json carries them', async () => {
    const res = await validate(
      {
        'fleet.yaml': FLEET,
        'a.yaml': 'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: Bad_Name\nspec:\n  host: nowhere\n',
        'b.yaml': 'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata:\n  name: h\nspec: {}\n',
      },
      '--json',
    );
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout);
    expectOutputSchema('error', out);
    expect(out.error.diagnostics.map((d: { pos: { file: string; line: number; col: number } }) => `${d.pos.file}:${d.pos.line}:${d.pos.col}`)).toEqual([
      'fleet/a.yaml:4:9',
      'fleet/b.yaml:5:7',
      // The agent with a schema error is still checked against the others: its host is unknown.
      'fleet/a.yaml:6:9',
    ]);
  });

  it("reports a document's clashes with the others in the same run as its own schema error", async () => {
    const agent = (name: string, extra: string) => `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: ${name}\nspec:\n  host: h\n  openclaw:\n    profile: shared\n${extra}`;
    const res = await validate({
      'fleet.yaml': `${FLEET}\n---\napiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h}\nspec: {local: {home: ../home}}\n`,
      'a.yaml': agent('first', ''),
      'b.yaml': agent('second', '  colour: blue\n'),
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('fleet/b.yaml:9:3: unknown field "colour" in spec');
    expect(res.stderr).toContain('agents "first" and "second" on host "h" share the profile shared');
  });

  it('reports a problem deep in a large file, read in two halves at once, at its file:line:col', async () => {
    const agent = (i: number) =>
      `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: a${i}\nspec:\n  host: ${i === 2900 ? 'nowhere' : 'h1'}\n  openclaw:\n    profile: p${i}\n    config: {gateway: {port: ${20000 + i}}, note: "${'x'.repeat(100)}"}\n`;
    const text = `${FLEET}---\n${HOST('h1')}---\n${Array.from({ length: 3000 }, (_, i) => agent(i)).join('---\n')}`;
    expect(text.length).toBeGreaterThan(512 * 1024); // parallel-parse.ts's threshold: its second half goes to a worker
    const line = text.split('\n').indexOf('  host: nowhere') + 1;
    const res = await validate({ 'fleet.yaml': text });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`fleet/fleet.yaml:${line}:9: agent "a2900" names host "nowhere", which no Host manifest defines`);
  });

  it('accepts the example fleet', async () => {
    const res = await clawctl(['validate', '--json'], { cwd: join(__dirname, '..', '..') });
    expect(res.code, res.stderr).toBe(0);
    expectOutputSchema('validate', JSON.parse(res.stdout));
    const notRun = (agent: string) => ({ agent, status: 'not-run', reason: 'no version is pinned; plan checks against the version installed on the host', issues: [], warnings: [] });
    expect(JSON.parse(res.stdout)).toEqual({
      valid: true,
      fleet: 'example',
      hosts: 2,
      agents: 3,
      policies: 1,
      configChecks: [notRun('research-bot'), notRun('digest-bot'), notRun('support-bot')],
      policy: { violations: [], optOuts: [] },
    });
  });
});
