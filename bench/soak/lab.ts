// The soak's lab: real sshd hosts behind stall proxies, small tmpfs homes, a fleet repo made
// by `clawctl init` with SOPS secrets, and a few real OpenClaw gateways.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { clawctl, type CliResult } from '../../test/harness/cli.js';
import { provideOpenclaw, startGateway, stopGateway, waitReady } from '../../test/harness/openclaw.js';
import { freePort, makeClientKey, startSshHost, type ClientKey, type SshHost } from '../../test/harness/sshd.js';
import { startStallProxy, type StallProxy } from './stall-proxy.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const SOPS_FILE = 'secrets/soak.sops.yaml';
/** The size of each non-gateway host's home: small, so a fault can fill it in a moment. */
const HOME_TMPFS = '16m';

export interface LabHost {
  ssh: SshHost;
  proxy: StallProxy;
  /** Runs a real OpenClaw gateway (service: process); the others are service: none. */
  gateway: boolean;
  /** Its home is a tmpfs of its own (the disk-full fault fills it). */
  tmpfs: boolean;
  /** The harness's authorized_keys for this host (the hang fault rewrites it). */
  authorizedKeys: string;
}

export interface LabAgent {
  name: string;
  host: string;
  /** undefined: ~/.openclaw. */
  profile?: string;
  port: number;
  gen: number;
  gateway: boolean;
  churn: boolean;
}

export interface Lab {
  root: string;
  repo: string;
  fleetDir: string;
  client: ClientKey;
  hosts: LabHost[];
  agents: Map<string, LabAgent>;
  /** Every secret value the fleet ever held, to look for everywhere it must not be. */
  secrets: Set<string>;
  /** The environment every clawctl of the soak runs with. */
  env: NodeJS.ProcessEnv;
  gateways: ChildProcess[];
  /** Run the built clawctl in the repo; every output is kept for the secret scan. */
  run(args: string[], stdin?: string): Promise<CliResult>;
  outputs: string[];
  writeAgent(a: LabAgent): void;
  removeAgentFile(name: string): void;
  agentFile(name: string): string;
  stateDir(a: LabAgent): string;
  hostOf(a: LabAgent): LabHost;
  setSecret(host: string): Promise<void>;
  remove(): Promise<void>;
}

export const pad = (gen: number) => String(gen % 10).repeat(3000);
const secretKey = (host: string) => `token_${host.replace(/-/g, '_')}`;

export async function startLab(opts: { hosts: number; gatewayHosts: number; log: (m: string) => void }): Promise<Lab> {
  const root = mkdtempSync(join(tmpdir(), 'clawctl-soak-'));
  chmodSync(root, 0o755);
  const repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', repo]);
  const client = makeClientKey(root);
  const names = Array.from({ length: opts.hosts }, (_, i) => `h${String(i).padStart(2, '0')}`);
  const hosts: LabHost[] = [];
  const gateways: ChildProcess[] = [];
  const mounts: string[] = [];
  const outputs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    XDG_CONFIG_HOME: join(root, 'user-config'),
    XDG_STATE_HOME: join(root, 'user-state'),
    // The tests' OpenClaw toolchain and verdict cache, when .ci/run made it.
    XDG_CACHE_HOME: join(ROOT, '.cache', 'xdg'),
    SOPS_AGE_KEY: '',
    SOPS_AGE_KEY_FILE: '',
    GITHUB_ACTIONS: '',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'soak',
    GIT_AUTHOR_EMAIL: 'soak@example.invalid',
  };
  const run = async (args: string[], stdin?: string) => {
    const res = await clawctl(args, { cwd: repo, env, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const secrets = new Set<string>();
  const agents = new Map<string, LabAgent>();
  const fleetDir = join(repo, 'fleet');

  const lab: Lab = {
    root,
    repo,
    fleetDir,
    client,
    hosts,
    agents,
    secrets,
    env,
    gateways,
    run,
    outputs,
    agentFile: (name) => join(fleetDir, 'agents', `${name}.yaml`),
    stateDir: (a) => join(lab.hostOf(a).ssh.home, a.profile ? `.openclaw-${a.profile}` : '.openclaw'),
    hostOf: (a) => hosts.find((h) => h.ssh.name === a.host)!,
    writeAgent(a) {
      const config: Record<string, unknown> = { gateway: { port: a.port } };
      // Where OpenClaw is installed it checks the config: only its own keys there.
      if (!lab.hostOf(a).gateway) config.soak = { gen: a.gen, pad: pad(a.gen) };
      const doc = {
        apiVersion: 'clawctl.dev/v1',
        kind: 'Agent',
        metadata: { name: a.name, labels: { soak: a.churn ? 'churn' : 'base' } },
        spec: {
          host: a.host,
          openclaw: { ...(a.profile ? { profile: a.profile } : {}), config },
          env: { SOAK_AGENT: a.name, SOAK_GEN: String(a.gen), SOAK_PAD: pad(a.gen), API_TOKEN: { secretRef: { sops: SOPS_FILE, key: secretKey(a.host) } } },
        },
      };
      // Whole or not at all: the watch must never read half a manifest the soak did not mean to break.
      const file = lab.agentFile(a.name);
      writeFileSync(`${file}.soak-tmp`, stringify(doc));
      renameSync(`${file}.soak-tmp`, file);
    },
    removeAgentFile(name) {
      rmSync(lab.agentFile(name), { force: true });
    },
    async setSecret(host) {
      const value = `soak-${randomBytes(16).toString('hex')}`;
      secrets.add(value);
      const res = await run(['secrets', 'set', SOPS_FILE, secretKey(host)], `${value}\n`);
      if (res.code !== 0) throw new Error(`secrets set ${secretKey(host)} exited ${res.code}: ${res.stderr}`);
    },
    async remove() {
      for (const g of gateways) await stopGateway(g).catch(() => undefined);
      for (const h of hosts) await h.proxy.close().catch(() => undefined);
      for (const h of hosts) {
        // OpenSSH sends a forced command no signal: the hang fault's sleeps outlive their sessions.
        for (const pid of pidsOf(h.ssh.uid)) killPid(pid, 'SIGKILL');
      }
      for (const m of mounts) {
        try {
          execFileSync('umount', ['-l', m], { stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
      for (const h of hosts) await h.ssh.remove().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    opts.log(`starting ${names.length} sshd hosts`);
    for (let i = 0; i < names.length; i += 10) {
      const batch = await Promise.all(names.slice(i, i + 10).map((n) => startSshHost(n, root, client)));
      for (const ssh of batch) {
        const gateway = hosts.length >= names.length - opts.gatewayHosts;
        const tmpfs = !gateway;
        if (tmpfs) {
          execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${HOME_TMPFS},mode=0755,uid=${ssh.uid},gid=${ssh.gid}`, 'tmpfs', ssh.home]);
          mounts.push(ssh.home);
        }
        if (gateway) provideOpenclaw(ssh);
        const proxy = await startStallProxy(() => ssh.port);
        hosts.push({ ssh, proxy, gateway, tmpfs, authorizedKeys: join(root, ssh.name, 'authorized_keys') });
      }
    }

    opts.log('clawctl init, secrets');
    const init = await run(['init', '.', '--name', 'soak']);
    if (init.code !== 0) throw new Error(`clawctl init exited ${init.code}: ${init.stderr}`);
    for (const h of hosts) await lab.setSecret(h.ssh.name);
    writeFleetFile(fleetDir, hosts, client.privateKeyPath);

    for (const h of hosts) {
      const main: LabAgent = { name: `${h.ssh.name}-main`, host: h.ssh.name, port: await freePort(), gen: 1, gateway: h.gateway, churn: false };
      const side: LabAgent = { name: `${h.ssh.name}-side`, host: h.ssh.name, profile: 'side', port: await freePort(), gen: 1, gateway: false, churn: false };
      // A gateway host runs one agent: apply starts a new agent's gateway there, ~900 MB each.
      for (const a of h.gateway ? [main] : [main, side]) {
        agents.set(a.name, a);
        lab.writeAgent(a);
      }
    }
    opts.log(`first apply: ${agents.size} agents`);
    const first = await run(['apply', '--auto-approve', '--concurrency', '20']);
    if (first.code !== 0) throw new Error(`the first apply exited ${first.code}:\n${first.stdout.slice(-3000)}\n${first.stderr.slice(-3000)}`);

    opts.log('starting the real gateways');
    for (const a of [...agents.values()].filter((x) => x.gateway)) {
      // apply starts a new agent's gateway itself under service: process; start one only if it did not.
      if (await answers(a.port)) continue;
      const g = startGateway(lab.hostOf(a).ssh, a.port);
      gateways.push(g);
    }
    await Promise.all([...agents.values()].filter((x) => x.gateway).map((a) => waitReady(a.port, 120_000)));
    const plan = await run(['plan', '--detailed-exitcode']);
    if (plan.code !== 0) throw new Error(`the lab is not converged before the soak (plan exit ${plan.code}):\n${plan.stdout.slice(-3000)}\n${plan.stderr.slice(-2000)}`);
    return lab;
  } catch (err) {
    await lab.remove();
    throw err;
  }
}

/** fleet.yaml as `clawctl init` wrote it, with the soak's rollout and timeouts, and the hosts. */
function writeFleetFile(fleetDir: string, hosts: LabHost[], identityFile: string): void {
  const fleet = {
    apiVersion: 'clawctl.dev/v1',
    kind: 'Fleet',
    metadata: { name: 'soak' },
    spec: {
      defaults: {
        config: { gateway: { mode: 'local', bind: 'loopback' } },
        ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta', '/wizard'] }],
      },
      rollout: { maxUnavailable: 5, healthTimeoutSeconds: 90 },
      // A hung or stalled host is given up on after this, and the cycle goes on.
      commandTimeoutSeconds: 15,
      secrets: { hashKey: { sops: 'secrets/clawctl.sops.yaml', key: 'hashKey' } },
    },
  };
  const hostDocs = hosts.map((h) => ({
    apiVersion: 'clawctl.dev/v1',
    kind: 'Host',
    metadata: { name: h.ssh.name },
    spec: {
      ssh: { address: '127.0.0.1', port: h.proxy.port, user: h.ssh.user, hostKey: h.ssh.hostKey, identityFile },
      service: h.gateway ? 'process' : 'none',
    },
  }));
  writeFileSync(join(fleetDir, 'fleet.yaml'), stringify(fleet));
  mkdirSync(join(fleetDir, 'hosts'), { recursive: true });
  writeFileSync(join(fleetDir, 'hosts', 'hosts.yaml'), hostDocs.map((d) => stringify(d)).join('---\n'));
  mkdirSync(join(fleetDir, 'agents'), { recursive: true });
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
  } catch {
    return false;
  }
}

/** Processes of one uid, from /proc. */
export function pidsOf(uid: number, match?: (cmdline: string) => boolean): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const u = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(u) !== uid) continue;
      if (match && !match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) continue;
      out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** Write a file on a host as its user would, whole (an editor's save): a temp name, then rename. */
export function writeAsUser(host: SshHost, path: string, text: string): void {
  const tmp = `${path}.soak-edit`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chownSync(tmp, host.uid, host.gid);
  renameSync(tmp, path);
}

export function exists(path: string): boolean {
  return existsSync(path);
}
