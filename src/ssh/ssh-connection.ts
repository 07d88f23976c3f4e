import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { Client, type ConnectConfig, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2';
import { CommandTimeoutError, feed, HostUnreachableError, limit, programName, type ExecInput, type ExecResult, type HostConnection, type StreamOptions } from '../connection/connection.js';
import { shellJoin } from '../util/shell.js';
import { fingerprint, parsePinnedKey, pinLine } from './host-key.js';
import { trimRoundTrips } from './round-trips.js';

export interface SshTarget {
  host: string;
  address: string;
  port: number;
  user: string;
  hostKey: string;
  identityFile?: string;
}

const READY_TIMEOUT_MS = 10_000;

/**
 * One SSH connection to a host, verified against its pinned key: a key that differs is
 * refused, never trusted on first use. Commands run as one quoted argv each.
 */
export async function openSsh(target: SshTarget, commandTimeoutSeconds: number): Promise<HostConnection> {
  const pinned = parsePinnedKey(target.hostKey);
  let seen: Buffer | undefined;
  const client = new Client();
  const credential = await credentials(target);
  const config: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    readyTimeout: READY_TIMEOUT_MS,
    keepaliveInterval: 15_000,
    // Ask for the pinned key's type, so a server with several keys presents the pinned one.
    algorithms: { serverHostKey: [pinned.type as never] },
    hostVerifier: (key: Buffer) => {
      seen = key;
      return key.equals(pinned.blob);
    },
    // Straight to the one method there is: ssh2 would first try "none", a round trip for a refusal.
    // A key goes in parsed (ssh2 would parse the file's text again for every connection).
    ...('key' in credential ? { authHandler: [publicKeyAuth(target.user, credential.key)] } : { agent: credential.agent, authHandler: ['agent'] }),
  };
  const describe = `${target.user}@${target.address}:${target.port}`;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve();
    });
    // `on`, not `once`: a handshake that timed out can still fail again when its socket closes
    // later ("Connection lost before handshake"), and an 'error' with no listener kills the
    // process, a long-running watch with it.
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(connectError(target, describe, err, pinned.blob, seen));
    });
    client.connect(config);
    trimRoundTrips(client, 'key' in credential);
  });
  client.on('error', () => undefined); // later errors surface through exec
  return {
    describe,
    // exec: the login shell replaces itself with the program instead of forking for it.
    exec: (argv, stdin, streaming, deadline) => exec(client, target.host, `exec ${shellJoin(argv)}`, stdin, streaming, limit(deadline, commandTimeoutSeconds, streaming), programName(argv)),
    close: () => client.end(),
  };
}

async function credentials(target: SshTarget): Promise<{ key: ParsedKey } | { agent: string }> {
  // CI puts its one key in a file of its own: it stands in for every Host's identityFile.
  const identityFile = process.env.CLAWCTL_SSH_IDENTITY_FILE || target.identityFile;
  if (identityFile) {
    const path = identityFile.replace(/^~(?=\/)/, homedir());
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new HostUnreachableError(target.host, `cannot read identityFile ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    return { key: parsedKey(target.host, path, text) };
  }
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK };
  const fallback = join(homedir(), '.ssh', 'id_ed25519');
  let text: string;
  try {
    text = await readFile(fallback, 'utf8');
  } catch {
    throw new HostUnreachableError(target.host, 'no SSH credentials', `set spec.ssh.identityFile, start an ssh-agent, or create ${fallback}`);
  }
  return { key: parsedKey(target.host, fallback, text) };
}

function publicKeyAuth(username: string, key: ParsedKey): PublicKeyAuthMethod {
  return { type: 'publickey', username, key };
}

/** Keys by their text: the file is still read per host, so a key rotated under a long-running watch is seen. */
const parsedKeys = new Map<string, ParsedKey>();

/** The key as ssh2 parses it, once per run: a connection given the file's text parses it again, ~1.5 ms. */
function parsedKey(host: string, path: string, text: string): ParsedKey {
  let key = parsedKeys.get(text);
  if (!key) {
    const parsed = ssh2.utils.parseKey(text); // ssh2 is CommonJS: `utils` is not a named export Node can see
    const first = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
    if (!first || first instanceof Error || !first.isPrivateKey()) {
      const why = first instanceof Error ? first.message : 'no private key in it';
      throw new HostUnreachableError(host, `identityFile ${path} is not a private key clawctl can use: ${why}`, 'use an unencrypted OpenSSH or PEM private key (ssh-keygen -t ed25519)');
    }
    parsedKeys.set(text, (key = first));
  }
  return key;
}

function connectError(target: SshTarget, describe: string, err: Error & { level?: string }, pinned: Buffer, seen: Buffer | undefined): HostUnreachableError {
  if (seen && !seen.equals(pinned)) {
    return new HostUnreachableError(
      target.host,
      `host key mismatch at ${describe}: the server presented ${fingerprint(seen)}, the manifest pins ${fingerprint(pinned)}; refusing to connect`,
      `if the server's key changed on purpose, verify it out of band (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server) and pin it: spec.ssh.hostKey: "${pinLine(seen)}"`,
    );
  }
  if (err.level === 'client-authentication') {
    return new HostUnreachableError(
      target.host,
      `authentication as ${target.user} failed at ${describe}`,
      "check spec.ssh.user and spec.ssh.identityFile, and that the key is in the user's authorized_keys",
    );
  }
  if (/no matching host key format|handshake failed/i.test(err.message)) {
    return new HostUnreachableError(
      target.host,
      `${describe} offers no ${parsePinnedKey(target.hostKey).type} host key: ${err.message}`,
      'pin the key the server has (ssh-keyscan shows them; verify out of band)',
    );
  }
  const code = (err as NodeJS.ErrnoException).code;
  return new HostUnreachableError(target.host, `cannot connect to ${describe}: ${code ?? err.message}`);
}

function exec(client: Client, host: string, command: string, stdin: ExecInput | undefined, streaming: StreamOptions | undefined, seconds: number | undefined, program: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(new HostUnreachableError(host, `exec failed: ${err.message}`));
        return;
      }
      // Past the deadline: ask sshd to kill the program, drop the channel, and report the host.
      const timer =
        seconds === undefined
          ? undefined
          : setTimeout(() => {
              code = -2;
              stream.signal('KILL');
              stream.close();
              reject(new CommandTimeoutError(host, seconds, program));
            }, seconds * 1000);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code = -1;
      stream.on('data', (b: Buffer) => (streaming ? streaming.onStdout(b) : out.push(b)));
      // Ended by the caller (Ctrl-C on --follow): a success, whatever status the channel reports.
      let aborted = false;
      streaming?.signal?.addEventListener('abort', () => {
        aborted = true;
        stream.close();
      });
      stream.stderr.on('data', (b: Buffer) => errOut.push(b));
      stream.on('exit', (c: number | null, signal?: string) => {
        code = c ?? (signal ? 128 : 1);
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (code === -2) return; // already reported as timed out
        if (aborted) code = 0;
        if (code === -1) reject(new HostUnreachableError(host, 'connection lost during a command'));
        else {
          const bytes = Buffer.concat(out);
          resolve({ code, stdout: bytes.toString('utf8'), bytes, stderr: Buffer.concat(errOut).toString('utf8') });
        }
      });
      feed(stdin, stream);
    });
  });
}
