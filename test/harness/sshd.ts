import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A real OpenSSH server on loopback: its own port, host key, Unix user and home. */
export interface SshHost {
  name: string;
  /** The port this host's own sshd listens on (verified by its host key); kept across stop()/start(). */
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

/**
 * A port that was free a moment ago. Only a hint: it is closed before the caller binds it, so
 * another process may take it first. startSshHost copes with that (it retries on a fresh port
 * and checks that the server answering is its own); other callers bind it at once.
 */
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

/** A test file's lab: a temp root, a git repo in it for the fleet, a client key, real sshd hosts. */
export interface SshLab {
  root: string;
  repo: string;
  client: ClientKey;
  hosts: SshHost[];
  /** Stop and delete every host (their users too) and the root. */
  remove(): Promise<void>;
}

export async function startSshLab(prefix: string, names: readonly string[]): Promise<SshLab> {
  const root = mkdtempSync(join(tmpdir(), `clawctl-${prefix}-`));
  const repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', repo]);
  const client = makeClientKey(root);
  const hosts = await Promise.all(names.map((n) => startSshHost(n, root, client)));
  return {
    root,
    repo,
    client,
    hosts,
    async remove() {
      await Promise.all(hosts.map((h) => h.remove()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** How many fresh ports a first start tries before it gives up. */
const BIND_ATTEMPTS = 8;
/** How long one sshd may take to listen (or to fail to). */
const START_TIMEOUT_MS = 15_000;

/**
 * OpenClaw's per-user temp dirs (its log dir among them) that a removed user of the same uid
 * may have left in /tmp: uids are reused by useradd, and OpenClaw would append to them.
 */
export const openclawTmpDirs = (uid: number) => [`/tmp/openclaw-${uid}`, `/tmp/openclaw-state-locks-${uid}`, `/tmp/.openclaw-terminal-staging-${uid}`];

/**
 * Start sshd for one test host. Runs as root (as CI does) so that sshd can switch to the
 * host's own user; the user is created here and deleted by remove().
 *
 * OpenSSH cannot listen on port 0, so the port is chosen free beforehand and sshd binds it
 * itself; if something took it in between, sshd says "Address already in use" and exits, and
 * the start is tried again on a fresh port. The server that answers on the port must present
 * this host's key: a banner from another test's sshd that won the port never counts.
 */
/** What a test "instance" brings of its own (the EC2 test server's user data): its host key, user and port. */
export interface SshHostOptions {
  /** The host's private key, OpenSSH format, in place of one made here. */
  hostKeyPrivate?: string;
  user?: string;
  /** The port to listen on, in place of a free one chosen here. */
  port?: number;
}

export async function startSshHost(name: string, root: string, client: ClientKey, opts: SshHostOptions = {}): Promise<SshHost> {
  const dir = join(root, name);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  // sshd reads authorized_keys as the host's user, and the user must reach its home.
  for (const d of [root, dir]) chmodSync(d, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  const user = opts.user ?? `ct${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user]); // '*': no password, but not locked (sshd refuses locked accounts)
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  for (const d of openclawTmpDirs(uid)) rmSync(d, { recursive: true, force: true });
  chownSync(home, uid, gid);
  chmodSync(home, 0o755);
  if (opts.hostKeyPrivate) {
    writeFileSync(join(dir, 'host_ed25519'), `${opts.hostKeyPrivate.trim()}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'host_ed25519.pub'),
      `${execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'host_ed25519')])
        .toString()
        .trim()} ${name}\n`,
    );
  } else {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, 'host_ed25519')]);
  }
  writeFileSync(join(dir, 'authorized_keys'), `${client.publicKey}\n`, { mode: 0o644 });
  const config = join(dir, 'sshd_config');
  const writeConfig = (port: number) =>
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_ed25519')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        // The harness's own file, and the user's: clawctl installs the observation key there.
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')} .ssh/authorized_keys`,
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
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  let proc: ChildProcess | undefined;

  /** One sshd on `port`: 'listening' once it answers with this host's key, 'in-use' if the port was taken. */
  const launch = async (port: number): Promise<'listening' | 'in-use'> => {
    writeConfig(port);
    const p = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    let stderr = '';
    p.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (p.exitCode !== null || p.signalCode !== null) {
        if (/Address already in use|Cannot bind any address/.test(stderr)) return 'in-use';
        throw new Error(`sshd for test host ${name} exited (${p.exitCode ?? p.signalCode}) before listening on 127.0.0.1:${port}: ${stderr.trim() || 'no output'}`);
      }
      if (await answersSsh(port)) {
        const presented = await keyAt(port);
        if (presented === hostKey) return 'listening';
        if (presented === undefined) {
          // no key read this time: ask again
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        // Another server answers on the port: ours cannot have bound it, and will say so.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        await exited;
        return 'in-use';
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    p.kill('SIGKILL');
    await exited;
    throw new Error(`sshd for test host ${name} did not answer on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms; its stderr: ${stderr.trim() || 'nothing'}`);
  };

  const host: SshHost = {
    name,
    port: opts.port ?? 0,
    user,
    uid,
    gid,
    home,
    hostKey,
    async start() {
      if (proc && proc.exitCode === null && proc.signalCode === null) return;
      if (host.port === 0) {
        // First start: any free port will do, so a lost race means another port.
        for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
          const port = await freePort();
          if ((await launch(port)) === 'listening') {
            host.port = port;
            return;
          }
        }
        throw new Error(`sshd for test host ${name}: ${BIND_ATTEMPTS} free ports in a row were taken before sshd could bind them`);
      }
      // A restart: the fleet pins this port, so wait for it to be ours again.
      const deadline = Date.now() + START_TIMEOUT_MS;
      while ((await launch(host.port)) === 'in-use') {
        if (Date.now() > deadline) throw new Error(`sshd for test host ${name} cannot listen on its port ${host.port} again: another process holds it`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const p = proc;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
        p.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        p.kill('SIGTERM');
      });
    },
    async remove() {
      await host.stop();
      // userdel refuses a user with live processes, and a SIGKILLed process is not gone at once.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          execFileSync('pkill', ['-KILL', '-u', user]);
        } catch {
          // no processes left
        }
        try {
          execFileSync('userdel', [user], { stdio: ['ignore', 'ignore', 'pipe'] });
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`userdel ${user} (test host ${name}) failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      for (const d of openclawTmpDirs(uid)) rmSync(d, { recursive: true, force: true });
    },
  };
  await host.start();
  return host;
}

/** Whether something on the port speaks SSH: its first bytes are a banner. Never hangs. */
function answersSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 2_000);
    s.once('data', (b) => done(b.toString().startsWith('SSH-')));
    s.once('error', () => done(false));
    s.once('close', () => done(false));
  });
}

/** The ed25519 host key the server on the port presents, as "type base64", or undefined. */
function keyAt(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ssh-keyscan', ['-T', '2', '-t', 'ed25519', '-p', String(port), '127.0.0.1'], { timeout: 10_000 }, (_err, stdout) => {
      const line = stdout
        .toString()
        .split('\n')
        .find((l) => l && !l.startsWith('#'));
      resolve(line?.split(' ').slice(1, 3).join(' '));
    });
  });
}

/**
 * A TCP gate in front of a host's sshd, on a port of its own (bound once, never freed while it
 * runs): while held, connections are accepted and wait, unanswered, like a host slow to
 * answer; release() lets them and every later one through. A test points the fleet's Host at
 * gate.port to hold an apply at that host for as long as it needs.
 */
export interface Gate {
  port: number;
  /** Connections accepted since the last hold(). */
  connections(): number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startGate(targetPort: number): Promise<Gate> {
  let held = false;
  let count = 0;
  const waiting = new Set<Socket>();
  const sockets = new Set<Socket>();
  const pass = (sock: Socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    sock.pipe(upstream).pipe(sock);
    upstream.on('error', () => sock.destroy());
    sock.on('error', () => upstream.destroy());
  };
  const server = createServer((sock) => {
    count++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    if (held) {
      sock.pause();
      waiting.add(sock);
    } else pass(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    hold() {
      held = true;
      count = 0;
    },
    release() {
      held = false;
      for (const sock of waiting) {
        waiting.delete(sock);
        if (!sock.destroyed) {
          pass(sock);
          sock.resume();
        }
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
