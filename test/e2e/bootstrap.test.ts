import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { keepSharedLogDirRoot } from '../harness/openclaw.js';
import { startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';
import { PINNED_OPENCLAW as VERSION } from '../setup/openclaw-toolchain.js';

/**
 * A bare host becomes a running agent host with one apply: OpenClaw and its Node, from the
 * npm registry through this machine's cache, streamed over the host's own SSH connection
 * (the host needs no internet), installed in the user's home beside other versions, linked as
 * ~/.local/bin/openclaw; then the agent's files, and its gateway started (service: process,
 * a real OpenClaw gateway) and health-gated. The hosts' users have no Node of their own that
 * could run OpenClaw (the machine's is 20).
 */
describe('bootstrap: a bare host runs its agents after one apply', () => {
  let lab: SshLab;
  let bare: SshHost;
  let spare: SshHost;
  const share = (h: SshHost) => join(h.home, '.local', 'share', 'clawctl', 'openclaw');
  const agents: AgentDef[] = [{ name: 'boot', host: 'boot1', port: 19331 }];
  const fleet = (version: string, hosts: SshHost[], list: AgentDef[]) =>
    writeFleet(lab.repo, hosts, list, { identityFile: lab.client.privateKeyPath, service: 'process', fleetSpec: { openclaw: { version }, rollout: { healthTimeoutSeconds: 90 } } });
  const run = (...args: string[]) => clawctl(args, { cwd: lab.repo });

  beforeAll(async () => {
    lab = await startSshLab('bootstrap', ['boot1', 'boot2']);
    [bare, spare] = lab.hosts as [SshHost, SshHost];
    for (const h of lab.hosts) keepSharedLogDirRoot(h.uid);
    fleet(VERSION, [bare], agents);
  }, 60_000);
  afterAll(async () => {
    await lab?.remove();
  });

  it('plans each step of the bootstrap before taking it', async () => {
    const plan = await run('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`\\+ install openclaw ${VERSION.replace(/\./g, '\\.')} \\(node 24\\.\\d+\\.\\d+, linux-x64, streamed from here over this connection\\)`));
    expect(plan.stdout).toContain('+ agent boot (~/.openclaw)');
    expect(plan.stdout).toContain('↻ restart gateway via process (start the new gateway)');
    expect(plan.stdout).toContain('1 OpenClaw install');
  });

  it('a kill during the transfer leaves nothing current, and the next apply finishes', async () => {
    const apply = startClawctl(['apply', '--auto-approve'], { cwd: lab.repo });
    // Killed once the bundle is on its way (its temp file on the host has grown).
    const incoming = join(share(bare), `.incoming-${VERSION}.tar.gz`);
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && !(existsSync(incoming) && statSync(incoming).size > 1_000_000)) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(incoming), apply.stdout() + apply.stderr()).toBe(true);
    apply.child.kill('SIGKILL');
    await apply.done;
    // The host's side ends on the cut stream: no version dir, no link, its temp files gone.
    const gone = Date.now() + 30_000;
    while (Date.now() < gone && readdirSync(share(bare)).length > 0) await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(share(bare))).toEqual([]);
    expect(existsSync(join(bare.home, '.local', 'bin', 'openclaw'))).toBe(false);
    const plan = await run('plan');
    expect(plan.stdout).toContain(`+ install openclaw ${VERSION}`);
    // The killed apply's lock names a process that is gone: cleared the documented way.
    expect((await run('unlock')).code).toBe(0);
  }, 300_000);

  it('installs, starts the gateway healthy, and a second apply plans nothing', async () => {
    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(`✓ host boot1: openclaw ${VERSION}`);
    const link = join(bare.home, '.local', 'bin', 'openclaw');
    expect(readlinkSync(link)).toBe(join(share(bare), VERSION, 'bin', 'openclaw'));
    // Installed files are readable by their user (npm's files were not made private by a umask).
    const pkg = join(share(bare), VERSION, 'node_modules', 'openclaw', 'package.json');
    expect(statSync(pkg).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(share(bare), VERSION)).uid).toBe(bare.uid);
    const status = await run('status', '--json');
    expect(JSON.parse(status.stdout).agents[0]).toMatchObject({ agent: 'boot', state: 'online', version: { pinned: VERSION, installed: VERSION } });
    // The pid file names the gateway by pid and start time, so a reused pid is never taken for it.
    const [, pid, start] = /^(\d+) (\d+)\n$/.exec(readFileSync(join(bare.home, '.openclaw', 'clawctl-gateway.pid'), 'utf8')) ?? [];
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]).toBe(start);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes.');
  }, 600_000);

  it('a version that does not exist: a clear error, nothing on the host', async () => {
    fleet('2026.99.99', [spare], [{ name: 'nover', host: 'boot2', port: 19332 }]);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code).not.toBe(0);
    expect(apply.stdout + apply.stderr).toContain('could not fetch openclaw 2026.99.99');
    expect(apply.stdout).toContain('✗ host boot2: unpack openclaw 2026.99.99');
    expect(apply.stdout).toContain('nover: skipped');
    expect(existsSync(join(spare.home, '.local', 'share', 'clawctl'))).toBe(false);
    expect(existsSync(join(spare.home, '.openclaw'))).toBe(false);
  }, 300_000);

  it('a full disk or a home the user cannot write: the host named, nothing half-installed', async () => {
    fleet(VERSION, [spare], [{ name: 'full', host: 'boot2', port: 19333 }]);
    const target = share(spare);
    mkdirSync(target, { recursive: true });
    for (const d of ['.local', '.local/share', '.local/share/clawctl', '.local/share/clawctl/openclaw']) chownSync(join(spare.home, d), spare.uid, spare.gid);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=20m,uid=${spare.uid},gid=${spare.gid},mode=0755`, 'tmpfs', target]);
    try {
      const full = await run('apply', '--auto-approve');
      expect(full.code).not.toBe(0);
      expect(full.stdout + full.stderr).toMatch(/host boot2: unpack openclaw .* failed: .*receiving openclaw .* failed \(is the disk full\?\)/);
      expect(readdirSync(target)).toEqual([]);
    } finally {
      execFileSync('umount', [target]);
    }
    chmodSync(join(spare.home, '.local', 'share'), 0o555);
    chownSync(join(spare.home, '.local', 'share'), 0, 0);
    execFileSync('rm', ['-rf', join(spare.home, '.local', 'share', 'clawctl')]);
    const denied = await run('apply', '--auto-approve');
    expect(denied.code).not.toBe(0);
    expect(denied.stdout + denied.stderr).toMatch(/host boot2: unpack openclaw .* failed: .*cannot create .*Permission denied/);
    expect(existsSync(join(spare.home, '.local', 'bin', 'openclaw'))).toBe(false);
  }, 600_000);
});
