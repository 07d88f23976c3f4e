import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A real OpenSSH server on loopback: its own port, host key, Unix user and home. */
export interface SshHost {
  name: string;
  port: number;
  user: string;
  uid: number;
  gid: number;
  home: string;
  /** The host's public key line, for spec.ssh.hostKey. */
  hostKey: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** A client key pair shared by the hosts of one test file. */
export interface ClientKey {
  privateKeyPath: string;
  publicKey: string;
}

export function makeClientKey(dir: string): ClientKey {
  const path = join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'clawctl-test', '-f', path]);
  return { privateKeyPath: path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start sshd for one test host. Runs as root (as CI does) so that sshd can switch to the
 * host's own user; the user is created here and deleted by remove().
 */
export async function startSshHost(name: string, root: string, client: ClientKey): Promise<SshHost> {
  const dir = join(root, name);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  // sshd reads authorized_keys as the host's user, and the user must reach its home.
  for (const d of [root, dir]) chmodSync(d, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  const user = `ct${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user]); // '*': no password, but not locked (sshd refuses locked accounts)
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  chownSync(home, uid, gid);
  chmodSync(home, 0o755);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, 'host_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), `${client.publicKey}\n`, { mode: 0o644 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${user}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 64',
      'MaxStartups 256',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  const host: SshHost = {
    name,
    port,
    user,
    uid,
    gid,
    home,
    hostKey: readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    async start() {
      proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      await waitForBanner(port, () => stderr);
    },
    async stop() {
      if (!proc || proc.exitCode !== null) return;
      const p = proc;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
    async remove() {
      await host.stop();
      try {
        execFileSync('pkill', ['-KILL', '-u', user]);
      } catch {
        // no processes left
      }
      execFileSync('userdel', [user]);
    },
  };
  await host.start();
  return host;
}

async function waitForBanner(port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (b) => {
        s.destroy();
        resolve(b.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd on port ${port} did not start: ${stderr()}`);
}
