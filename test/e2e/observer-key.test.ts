import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, lchownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { writeFleet } from '../harness/fleet.js';
import { OPENCLAW_BIN, openclawInstalled, provideOpenclaw } from '../harness/openclaw.js';
import { makeClientKey, startSshLab, type ClientKey, type SshHost, type SshLab } from '../harness/sshd.js';

const SECRET = 'observer-must-never-read-this-value';

/**
 * The observation key: hosts accept it only for the facts script, through the gate apply
 * installs (`restrict,command=` in ~/.ssh/authorized_keys). A plan made with it equals the
 * plan made with the full key, while the key itself can read no .env value and run nothing else.
 */
describe('observation key', () => {
  let lab: SshLab;
  let host: SshHost;
  let observer: ClientKey;
  let repo: string;
  const fleetSpec = (publicKey?: string) => ({ ...(publicKey ? { observer: { publicKey } } : {}) });
  const writeTheFleet = (publicKey?: string) =>
    writeFleet(repo, [host], [{ name: 'watched', host: 'o1', port: 19311, env: { GREETING: SECRET } }], { identityFile: lab.client.privateKeyPath, fleetSpec: fleetSpec(publicKey) });
  const full = (...args: string[]) => clawctl(args, { cwd: repo });
  const observing = (...args: string[]) => clawctl(args, { cwd: repo, env: { CLAWCTL_OBSERVER: '1', CLAWCTL_SSH_IDENTITY_FILE: observer.privateKeyPath } });
  const withoutTime = (json: string) => ({ ...JSON.parse(json), created_at: undefined });
  /** The observation key run by hand, as whoever stole it from a pull-request job would. */
  const sshAsObserver = (command: string) => {
    const known = join(lab.root, 'known_hosts');
    writeFileSync(known, `[127.0.0.1]:${host.port} ${host.hostKey}\n`);
    const opts = ['-i', observer.privateKeyPath, '-p', String(host.port), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes'];
    return spawnSync('ssh', [...opts, `${host.user}@127.0.0.1`, command], { encoding: 'utf8', timeout: 20_000 });
  };

  beforeAll(async () => {
    lab = await startSshLab('observer', ['o1']);
    host = lab.hosts[0]!;
    repo = lab.repo;
    mkdirSync(join(lab.root, 'observer'));
    observer = makeClientKey(join(lab.root, 'observer'));
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    // The gate hashes .env with the dotenv of the host's own OpenClaw, run by its Node.
    provideOpenclaw(host);
    // A line of the user's own, which every rewrite of authorized_keys must keep.
    mkdirSync(join(host.home, '.ssh'), { recursive: true });
    writeFileSync(join(host.home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwnLineOfTheUserThemselvesKeepItPlease0000 me@laptop\n');
    chownSync(join(host.home, '.ssh'), host.uid, host.gid);
    chownSync(join(host.home, '.ssh', 'authorized_keys'), host.uid, host.gid);
  }, 60_000);
  afterAll(async () => {
    await lab?.remove();
  });

  it('plans the gate, and apply with the full key installs it beside the user’s own keys', async () => {
    writeTheFleet(observer.publicKey);
    const plan = await full('plan');
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toMatch(/\+ observation gate [0-9a-f]{16}: key SHA256:\S+ may only run the facts script/);
    expect(plan.stdout).toContain('1 host to set up');
    const apply = await full('apply', '--auto-approve');
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    const keys = readFileSync(join(host.home, '.ssh', 'authorized_keys'), 'utf8')
      .trim()
      .split('\n');
    expect(keys[0]).toContain('me@laptop');
    expect(keys[1]).toBe(`restrict,command="sh .clawctl/observe/gate.sh" ${observer.publicKey.split(' ').slice(0, 2).join(' ')} clawctl-observer:test`);
    expect((await full('plan', '--detailed-exitcode')).code).toBe(0);
    // The same line, for whoever keeps authorized_keys with another tool.
    const line = await full('hosts', 'observer-line', '--json');
    expect(JSON.parse(line.stdout)).toEqual({ line: keys[1], key: expect.stringMatching(/^SHA256:/), installedByApply: true });
  });

  it('plans through the gate exactly as with the full key, in sync and after a hand edit of .env', async () => {
    const keyed = await full('plan', '--json');
    const gated = await observing('plan', '--json');
    expect(gated.code, gated.stdout + gated.stderr).toBe(0);
    expect(withoutTime(gated.stdout)).toEqual(withoutTime(keyed.stdout));
    const env = join(host.home, '.openclaw', '.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(SECRET, 'edited-by-hand'));
    const keyedDrift = await full('plan', '--json');
    const gatedDrift = await observing('plan', '--json', '--detailed-exitcode');
    expect(gatedDrift.code).toBe(2);
    expect(withoutTime(gatedDrift.stdout)).toEqual(withoutTime(keyedDrift.stdout));
    expect(JSON.parse(gatedDrift.stdout).changes[0].actions[0].entries).toEqual([expect.objectContaining({ name: 'GREETING', action: 'change' })]);
    for (const out of [gated.stdout, gated.stderr, gatedDrift.stdout, gatedDrift.stderr]) expect(out).not.toContain(SECRET);
    expect((await full('apply', '--auto-approve')).code).toBe(0);
  });

  it('lets the key run nothing but the gate’s facts: no file, no shell, no other word', async () => {
    for (const command of [
      'cat .openclaw/.env',
      'sh -c "cat .openclaw/.env"',
      'clawctl-observe clawctl-observer:test none .openclaw;cat:19311:openclaw-gateway.service',
      'clawctl-observe clawctl-observer:test none ../../etc:19311:openclaw-gateway.service',
      'clawctl-observe clawctl-observer:test none .openclaw:$(id):openclaw-gateway.service',
      'clawctl-observe clawctl-observer:test none .openclaw:19311:../../x.service',
      'clawctl-observe clawctl-observer:test bash .openclaw:19311:openclaw-gateway.service',
    ]) {
      const res = sshAsObserver(command);
      expect(res.status, command).toBe(126);
      expect(res.stderr, command).toContain('clawctl observation gate:');
      expect(res.stdout + res.stderr).not.toContain(SECRET);
    }
    // The one command it runs reports .env as keyed hashes only.
    const facts = sshAsObserver('clawctl-observe clawctl-observer:test none .openclaw:19311:openclaw-gateway.service');
    expect(facts.status, facts.stdout + facts.stderr).toBe(0);
    expect(facts.stdout).toMatch(/^envhash \.openclaw\/\.env GREETING [0-9a-f]{64}$/m);
    expect(facts.stdout).not.toContain(SECRET);
  });

  it('refuses to apply or restart with only the observation key', async () => {
    const apply = await observing('apply', '--auto-approve');
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain('CLAWCTL_OBSERVER=1: this run holds only the observation key, which can change nothing');
  });

  it('writes nothing through a planted link, and removes the gate when the fleet drops the key', async () => {
    // The gate is gone (so apply installs it again), and the host's user made ~/.clawctl a link.
    const elsewhere = join(host.home, 'elsewhere');
    mkdirSync(elsewhere);
    chownSync(elsewhere, host.uid, host.gid);
    rmSync(join(host.home, '.clawctl'), { recursive: true, force: true });
    symlinkSync(elsewhere, join(host.home, '.clawctl'));
    lchownSync(join(host.home, '.clawctl'), host.uid, host.gid);
    const apply = await full('apply', '--auto-approve');
    expect(apply.code).not.toBe(0);
    expect(apply.stdout + apply.stderr).toContain('$HOME/.clawctl is a symbolic link; clawctl never writes through a link');
    expect(execFileSync('ls', ['-A', elsewhere], { encoding: 'utf8' })).toBe('');
    rmSync(join(host.home, '.clawctl'));
    expect((await full('apply', '--auto-approve')).code).toBe(0);

    writeTheFleet();
    const plan = await full('plan');
    expect(plan.stdout).toContain('- observation gate: removed');
    expect((await full('apply', '--auto-approve')).code).toBe(0);
    expect(existsSync(join(host.home, '.clawctl', 'observe'))).toBe(false);
    expect(readFileSync(join(host.home, '.ssh', 'authorized_keys'), 'utf8')).toBe('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwnLineOfTheUserThemselvesKeepItPlease0000 me@laptop\n');
    expect((await full('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
