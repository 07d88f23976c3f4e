import { execFileSync } from 'node:child_process';
import { lchownSync, lstatSync, mkdirSync, chownSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { type ClientKey, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

/**
 * A host is hostile ground: its user can hang a command or plant links where clawctl writes.
 * Every remote command has a deadline, and nothing is read or written through a link: a
 * planted one is refused, naming it, and the file it points at is untouched.
 */
describe('hostile hosts', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let hosts: SshHost[];
  const agents: AgentDef[] = [
    { name: 'calm', host: 'ok1', port: 19101 },
    { name: 'stuck', host: 'hang1', port: 19102 },
  ];
  const run = (...args: string[]) => clawctl(args, { cwd: repo });

  beforeAll(async () => {
    lab = await startSshLab('hostile', ['ok1', 'hang1']);
    ({ root, repo, client } = lab);
    hosts = lab.hosts;
    writeFleet(repo, hosts, agents, { identityFile: client.privateKeyPath, fleetSpec: { commandTimeoutSeconds: 3 } });
  });

  afterAll(async () => {
    // OpenSSH delivers no signal to a forced command: the host user's own `sleep` outlives us.
    for (const h of hosts ?? []) {
      try {
        execFileSync('pkill', ['-KILL', '-u', h.user], { stdio: 'ignore' });
      } catch {
        // none left
      }
    }
    await lab?.remove();
  });

  /** Plant a link as the host's user would: owned by them, in their home. */
  const plant = (host: SshHost, path: string, target: string) => {
    const full = join(host.home, path);
    mkdirSync(join(full, '..'), { recursive: true });
    chownSync(join(full, '..'), host.uid, host.gid);
    rmSync(full, { force: true });
    symlinkSync(target, full);
    lchownSync(full, host.uid, host.gid);
  };

  it('writes nothing through links planted at its temp names, the marker or the backups', async () => {
    const host = hosts[0]!;
    const stolen = join(host.home, 'stolen');
    writeFileSync(stolen, 'untouched\n');
    chownSync(stolen, host.uid, host.gid);
    const keys = join(root, 'ok1', 'authorized_keys');
    const keysBefore = readFileSync(keys, 'utf8');
    mkdirSync(join(host.home, '.openclaw'), { mode: 0o700 });
    chownSync(join(host.home, '.openclaw'), host.uid, host.gid);
    plant(host, '.openclaw/.clawctl-new..env', stolen);
    plant(host, '.openclaw/.clawctl-new.openclaw.json', stolen);
    plant(host, '.openclaw/.clawctl-new.managed', keys);
    const apply = await run('apply', '--auto-approve', '--target', 'calm');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(readFileSync(stolen, 'utf8')).toBe('untouched\n');
    expect(readFileSync(keys, 'utf8')).toBe(keysBefore);
    expect(lstatSync(join(host.home, '.openclaw', '.env')).isFile()).toBe(true);
    expect(statSync(join(host.home, '.openclaw', '.env')).mode & 0o777).toBe(0o600);
  });

  it('refuses an agent whose .env or state dir is a link, naming it, and touches neither', async () => {
    const host = hosts[0]!;
    const elsewhere = join(host.home, 'elsewhere.env');
    writeFileSync(elsewhere, 'KEEP=me\n');
    chownSync(elsewhere, host.uid, host.gid);
    plant(host, '.openclaw/.env', elsewhere);
    const plan = await run('plan', '--target', 'calm');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("host ok1: ~/.openclaw/.env is a symbolic link; clawctl never reads or writes an agent's files through a link");
    expect(plan.stdout).toContain('not planned: calm');
    expect(plan.stdout).not.toContain('files changed while they were being read');
    const apply = await run('apply', '--auto-approve', '--target', 'calm');
    expect(apply.code).toBe(1);
    expect(readFileSync(elsewhere, 'utf8')).toBe('KEEP=me\n');
    expect(lstatSync(join(host.home, '.openclaw', '.env')).isSymbolicLink()).toBe(true);

    rmSync(join(host.home, '.openclaw'), { recursive: true, force: true });
    mkdirSync(join(host.home, 'real-state'));
    chownSync(join(host.home, 'real-state'), host.uid, host.gid);
    plant(host, '.openclaw', join(host.home, 'real-state'));
    const dirPlan = await run('plan', '--target', 'calm');
    expect(dirPlan.code).toBe(1);
    expect(dirPlan.stdout).toContain('host ok1: ~/.openclaw is a symbolic link');
    expect(readdirSync(join(host.home, 'real-state'))).toEqual([]);
    rmSync(join(host.home, '.openclaw'));
  });

  it('leaves no temp dir behind on the host after observing a gateway', async () => {
    const host = hosts[0]!;
    // Something listens on the agent's port, so facts.sh probes it and keeps the bodies in a temp dir.
    const server: Server = createServer((s) => s.end('HTTP/1.1 503 x\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(19101, '127.0.0.1', resolve));
    try {
      for (let i = 0; i < 3; i++) await run('plan', '--target', 'calm');
    } finally {
      server.close();
    }
    // Other test files' hosts come and go in /tmp meanwhile: a dir gone before its stat was not this host's.
    const left = readdirSync('/tmp').filter((n) => n.startsWith('clawctl-facts.') && statSync(join('/tmp', n), { throwIfNoEntry: false })?.uid === host.uid);
    expect(left).toEqual([]);
  });

  it('gives up on a host whose every command hangs, names it, and plans the others', async () => {
    // The host's user forces every login of our key to run `sleep 1000` instead.
    writeFileSync(join(root, 'hang1', 'authorized_keys'), `command="sleep 1000" ${client.publicKey}\n`);
    const plan = await run('plan', '--json');
    expect(plan.code).toBe(1);
    const json = JSON.parse(plan.stdout);
    expect(json.unreachable).toEqual([
      {
        host: 'hang1',
        error: 'host hang1: clawctl-facts did not finish within 3 s; it was stopped',
        hint: "the host may be hung, overloaded or out of disk; if it is only slow, raise the Fleet's spec.commandTimeoutSeconds",
        agents: ['stuck'],
      },
    ]);
    expect(json.changes.map((c: { agent: string }) => c.agent)).toEqual(['calm']);
  });
});
