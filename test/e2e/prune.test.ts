import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

/** An agent removed from the fleet is removed from its host: only what clawctl made, only in scope, policy-checked. */
describe('pruning agents that left the fleet', () => {
  let root: string;
  const home = () => join(root, 'home');
  const run = (...args: string[]) => clawctl(args, { cwd: root, env: { GITHUB_ACTIONS: '' } });
  const agent = (name: string, port: number) =>
    `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: ${name}}\nspec:\n  host: h\n  openclaw: {profile: ${name}, config: {gateway: {port: ${port}}}}\n`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-prune-'));
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('p')}\n---\n${LOCAL_HOST}\n`);
    writeFileSync(join(root, 'fleet', 'support.yaml'), agent('support', 18900));
    writeFileSync(join(root, 'fleet', 'sales.yaml'), agent('sales', 18901));
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    // Not clawctl's to touch: a dir made by hand, and one another fleet's apply made.
    mkdirSync(join(home(), '.openclaw-byhand'));
    mkdirSync(join(home(), '.openclaw-elsewhere'));
    writeFileSync(join(home(), '.openclaw-elsewhere', '.clawctl-managed'), 'fleet=other agent=elsewhere\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('apply marks each state dir it makes with the fleet and agent', () => {
    expect(readFileSync(join(home(), '.openclaw-sales', '.clawctl-managed'), 'utf8')).toBe('fleet=p agent=sales\n');
  });

  it('plans the removal of an agent whose manifest is gone, and only there', async () => {
    rmSync(join(root, 'fleet', 'sales.yaml'));
    const plan = await run('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('- agent sales (~/.openclaw-sales): no longer in the fleet');
    expect(plan.stdout).toContain('- stop the gateway (none) and move the state dir aside');
    expect(plan.stdout).toContain('Plan: 0 agents to add, 0 to change, 1 to destroy.');
    expect(plan.stdout).not.toMatch(/byhand|elsewhere/);
    const json = JSON.parse((await run('plan', '--json')).stdout);
    expectOutputSchema('plan', json);
    expect(json.changes).toEqual([{ agent: 'sales', host: 'h', stateDir: '.openclaw-sales', actions: [{ type: 'destroy', service: 'none' }] }]);
    // Scope: --target of another agent or a label selector leaves it alone; the host's name includes it.
    expect((await run('plan', '--target', 'support')).stdout).toContain('No changes.');
    expect((await run('plan', '-l', 'team=x')).stdout).toContain('0 to destroy');
    expect((await run('plan', '--target', 'h')).stdout).toContain('1 to destroy');
  });

  it('a policy can deny it (exit 3, nothing removed)', async () => {
    writeFileSync(
      join(root, 'fleet', 'policy.yaml'),
      'apiVersion: clawctl.dev/v1\nkind: Policy\nmetadata: {name: keep}\nspec:\n  rules:\n    - name: no-removals\n      denyActions: [{action: destroy}]\n',
    );
    const denied = await run('apply', '--auto-approve');
    expect(denied.code).toBe(3);
    expect(denied.stdout + denied.stderr).toMatch(/keep\/no-removals: agent sales \(fleet\/policy\.yaml:\d+:\d+\): .*removes the agent/);
    expect(existsSync(join(home(), '.openclaw-sales', 'openclaw.json'))).toBe(true);
    rmSync(join(root, 'fleet', 'policy.yaml'));
  });

  it('apply of the saved plan stops it and moves its state dir aside, keeping the data; then no changes', async () => {
    expect((await run('plan', '--out', 'plan.json')).code).toBe(0);
    const applied = await run('apply', 'plan.json');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('✓ sales (h): remove');
    const aside = readdirSync(home()).filter((d) => d.startsWith('.openclaw-sales.clawctl-removed-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(join(home(), aside[0]!, 'openclaw.json'))).toBe(true);
    expect(existsSync(join(home(), '.openclaw-sales'))).toBe(false);
    expect(existsSync(join(home(), '.openclaw-byhand'))).toBe(true);
    expect(existsSync(join(home(), '.openclaw-elsewhere'))).toBe(true);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    const audit = JSON.parse((await run('audit', 'log', '--agent', 'sales', '--action', 'agent.apply', '--json')).stdout);
    expect(audit.entries.at(-1)).toMatchObject({ target: 'sales', result: 'ok', details: { done: 'remove' } });
    // The saved plan was for a dir that is gone now: applying it again is refused as stale.
    const again = await run('apply', 'plan.json');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/stale|no longer there to remove|changed since/);
  });
});

/** The same over SSH, on a real sshd host: the removal happens in the host user's home, as that user. */
describe('pruning agents that left the fleet, over SSH', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let host: SshHost;
  const all: AgentDef[] = [
    { name: 'support', host: 'p1', profile: 'support', port: 18910 },
    { name: 'sales', host: 'p1', profile: 'sales', port: 18911 },
  ];
  const fleet = (agents: AgentDef[]) => writeFleet(repo, [host], agents, { identityFile: client.privateKeyPath });
  const run = (...args: string[]) => clawctl(args, { cwd: repo, env: { GITHUB_ACTIONS: '' } });
  const onHost = (path: string) => join(host.home, path);
  /** A dir in the host user's home, made by that user (not by clawctl). */
  const userDir = (path: string, marker?: string) => {
    mkdirSync(onHost(path));
    chownSync(onHost(path), host.uid, host.gid);
    if (marker) {
      writeFileSync(onHost(join(path, '.clawctl-managed')), marker);
      chownSync(onHost(join(path, '.clawctl-managed')), host.uid, host.gid);
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-prune-ssh-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    host = await startSshHost('p1', root, client);
    fleet(all);
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    userDir('.openclaw-byhand');
    userDir('.openclaw-elsewhere', 'fleet=other agent=elsewhere\n');
  });
  afterAll(async () => {
    await host?.remove();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('plans the removal, moves the state dir aside on the host keeping its data, touches nothing else, then has no changes', async () => {
    expect(readFileSync(onHost('.openclaw-sales/.clawctl-managed'), 'utf8')).toBe('fleet=test agent=sales\n');
    fleet(all.filter((a) => a.name !== 'sales'));
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('# host p1');
    expect(plan.stdout).toContain('- agent sales (~/.openclaw-sales): no longer in the fleet');
    expect(plan.stdout).toContain('Plan: 0 agents to add, 0 to change, 1 to destroy.');
    expect(plan.stdout).not.toMatch(/byhand|elsewhere/);
    expect((await run('plan', '-l', 'team=x')).stdout).toContain('0 to destroy');

    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('✓ sales (p1): remove');
    const aside = readdirSync(host.home).filter((d) => d.startsWith('.openclaw-sales.clawctl-removed-'));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(readFileSync(onHost(join(aside[0]!, 'openclaw.json')), 'utf8')).gateway.port).toBe(18911);
    expect(statSync(onHost(aside[0]!)).uid, 'moved by the host user, as that user').toBe(host.uid);
    expect(existsSync(onHost('.openclaw-sales'))).toBe(false);
    for (const kept of ['.openclaw-support/openclaw.json', '.openclaw-byhand', '.openclaw-elsewhere/.clawctl-managed']) expect(existsSync(onHost(kept)), kept).toBe(true);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    const audit = JSON.parse((await run('audit', 'log', '--agent', 'sales', '--action', 'agent.apply', '--json')).stdout);
    expect(audit.entries.at(-1)).toMatchObject({ target: 'sales', result: 'ok', details: { host: 'p1', done: 'remove' } });
  });
});
