import { AwsCallError } from '../aws/aws-sdk.js';
import { amiFromParameter } from '../aws/ssm.js';
import { describeInstance, instanceByToken, disableMetadata, imageRootDevice, runInstance, terminateInstance, type Ec2Instance } from '../aws/ec2.js';
import { clientToken } from '../aws/ec2-defaults.js';
import { firstBootUserData, runInstancesInput } from '../aws/ec2-launch.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredHost } from '../desired/desired-state.js';
import type { EngineHooks } from '../events/hooks.js';
import { formatLocation, locationOfRef } from '../secrets/location.js';
import { sshKeyUtils } from '../ssh/key-utils.js';
import { openSecret } from '../secrets/store.js';
import { parsePinnedKey } from '../ssh/host-key.js';
import { TailscaleApi } from '../tailscale/client.js';
import type { Ec2CreateAction } from '../plan/plan.js';
import type { SecretRef } from '../validate/manifests.js';
import type { HostApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';

/** What creating an instance needs besides its plan: the fleet's secrets, the audit log, the run's connections. */
export interface ProvisionContext {
  fleetDir: string;
  fleet: string;
  audit: AuditSink;
  hooks: EngineHooks;
  pool: ConnectionPool;
  /** How long the instance may take to run and answer over SSH with its pinned key (CLAWCTL_EC2_BOOT_SECONDS, default 600). */
  bootSeconds: number;
}

export type Provisioned = { ok: true; host: DesiredHost; result: HostApplyResult } | { ok: false; result: HostApplyResult };

/** How often the instance's state, the tailnet and SSH are asked while it boots. */
const POLL_MS = 2_000;
/** Tokens tried past instances they made that have since been terminated. */
const TOKEN_ATTEMPTS = 8;
const GONE = ['shutting-down', 'terminated'];

/**
 * Create a Host's instance and wait until clawctl reaches it over SSH with the pinned host key:
 * RunInstances (idempotent by its client token), running, its address (tailnet or IP),
 * reachable; then the metadata service is turned off, ending the user data's copy of the key.
 * An instance that never gets there is terminated, and the result says so.
 */
export async function provisionHost(host: DesiredHost, action: Ec2CreateAction, ctx: ProvisionContext): Promise<Provisioned> {
  const done: string[] = [];
  const fail = (error: string): Provisioned => {
    ctx.hooks.emit({ type: 'host-action-done', host: host.name, action: 'ec2 instance', ok: false, detail: error });
    return { ok: false, result: { host: host.name, ok: false, done, error } };
  };
  let instance: Ec2Instance;
  try {
    const userData = firstBootUserData(await firstBoot(host, action, ctx));
    const image = await resolveImage(action.region, action.ami);
    instance = await launch(host, image, userData, ctx);
  } catch (err) {
    return fail(`host ${host.name}: ${(err as Error).message}; no instance was created`);
  }
  done.push(`ec2 ${instance.instanceId}`);
  ctx.hooks.emit({ type: 'host-action-done', host: host.name, action: `ec2 instance ${instance.instanceId} (${action.instanceType}, ${action.region})`, ok: true });
  const deadline = Date.now() + ctx.bootSeconds * 1000;
  try {
    const reached = await reach(host, instance, deadline, ctx);
    await disableMetadata(action.region, instance.instanceId);
    done.push('reachable', 'metadata service off');
    ctx.hooks.emit({ type: 'host-action-done', host: host.name, action: `reachable at ${describeAddress(reached)} with the pinned host key`, ok: true });
    return { ok: true, host: reached, result: { host: host.name, ok: true, done, instance: { id: instance.instanceId, region: action.region } } };
  } catch (err) {
    const why = (err as Error).message;
    const terminated = await terminateInstance(action.region, instance.instanceId).then(
      () => 'it was terminated',
      (e: Error) => `terminating it failed too (${e.message}): terminate it by hand`,
    );
    const result = fail(`host ${host.name}: instance ${instance.instanceId} ${why}; ${terminated}`).result;
    return { ok: false, result: { ...result, instance: { id: instance.instanceId, region: action.region, terminated: terminated === 'it was terminated' } } };
  }
}

/** Terminate an instance this fleet no longer declares. */
export async function terminateHost(host: string, region: string, instanceId: string, hooks: EngineHooks): Promise<HostApplyResult> {
  try {
    await terminateInstance(region, instanceId);
    hooks.emit({ type: 'host-action-done', host, action: `terminate ${instanceId}`, ok: true });
    return { host, ok: true, done: [`terminate ${instanceId}`], instance: { id: instanceId, region, terminated: true } };
  } catch (err) {
    const error = `host ${host}: terminating instance ${instanceId} failed: ${(err as Error).message}`;
    hooks.emit({ type: 'host-action-done', host, action: `terminate ${instanceId}`, ok: false, detail: error });
    return { host, ok: false, done: [], error, instance: { id: instanceId, region } };
  }
}

async function firstBoot(host: DesiredHost, action: Ec2CreateAction, ctx: ProvisionContext) {
  const ec2 = host.ec2!;
  const hostKeyPrivate = await readSecret(ec2.hostKeySecret, `host key of ${host.name}`, ctx);
  const parsed = (await sshKeyUtils()).parseKey(hostKeyPrivate);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) throw new Error(`${formatLocation(locationOfRef(ec2.hostKeySecret))} ${ec2.hostKeySecret.key} is not an OpenSSH private key`);
  if (!key.getPublicSSH().equals(parsePinnedKey(action.hostKey).blob)) {
    throw new Error(`the private host key in ${action.hostKeySecret} is not the one spec.provider.ec2.hostKey pins (${action.hostKeyFingerprint})`);
  }
  const ts = ec2.tailscale;
  const authKey = !ts
    ? undefined
    : ec2.tailscaleAuthKey
      ? await readSecret(ec2.tailscaleAuthKey, `Tailscale auth key of ${host.name}`, ctx)
      : await new TailscaleApi().createAuthKey(ts.tags, `clawctl ${ctx.fleet} ${host.name}`);
  const user = host.connection.kind === 'ssh' ? host.connection.user : ec2.user;
  const sshPort = host.connection.kind === 'ssh' ? host.connection.port : 22;
  return {
    user,
    authorizedKey: ec2.authorizedKey,
    hostKeyPrivate,
    hostKeyPublic: action.hostKey,
    sshPort,
    ...(ts && authKey ? { tailscale: { authKey, hostname: ts.hostname, tags: ts.tags } } : {}),
  };
}

async function readSecret(ref: SecretRef, what: string, ctx: ProvisionContext): Promise<string> {
  const location = locationOfRef(ref);
  const value = (await openSecret(ctx.fleetDir, location, { create: false })).get(ref.key);
  await ctx.audit.record([{ action: 'secret.read', target: `${formatLocation(location)}#${ref.key}`, result: value === undefined ? 'missing' : 'ok', details: { for: 'ec2 first boot' } }]);
  if (value === undefined) throw new Error(`the ${what} is not in ${formatLocation(location)} (key ${ref.key}): make it with \`clawctl hosts keygen\``);
  return value;
}

async function resolveImage(region: string, ami: string): Promise<{ id: string; rootDevice: string }> {
  const id = ami.startsWith('/') ? await amiFromParameter(region, ami) : ami;
  return { id, rootDevice: await imageRootDevice(region, id) };
}

/**
 * RunInstances; a token that already made an instance since terminated (the Host made again
 * after a destroy, or after a failed boot) moves to the next one, deterministically.
 */
async function launch(host: DesiredHost, image: { id: string; rootDevice: string }, userData: string, ctx: ProvisionContext): Promise<Ec2Instance> {
  const ec2 = host.ec2!;
  for (let attempt = 0; ; attempt++) {
    const token = clientToken(ctx.fleet, host.name, ec2.hostKey, attempt);
    const last = attempt + 1 >= TOKEN_ATTEMPTS;
    try {
      const made = await runInstance(ec2.region, runInstancesInput(ctx.fleet, host.name, ec2, image, userData, token));
      if (!GONE.includes(made.state) || last) return made;
    } catch (err) {
      // The token made an instance before, with other user data (another minted auth key). Still
      // there: this is a retry, and that instance is the host's. Gone: the Host is made again.
      if (!(err instanceof AwsCallError && err.awsCode === 'IdempotentParameterMismatch')) throw err;
      const prior = await instanceByToken(ec2.region, token);
      if (prior && !GONE.includes(prior.state)) return prior;
      if (last) throw err;
    }
  }
}

/** Running, at an address, answering over SSH with the pinned key; or an error saying which it never got to. */
async function reach(host: DesiredHost, made: Ec2Instance, deadline: number, ctx: ProvisionContext): Promise<DesiredHost> {
  const ec2 = host.ec2!;
  let stage = 'never became running';
  let last = '';
  while (Date.now() < deadline) {
    try {
      const now = await describeInstance(ec2.region, made.instanceId);
      if (now && (now.state === 'terminated' || now.state === 'shutting-down')) throw new Error(`is ${now.state}`);
      if (now?.state === 'running') {
        stage = ec2.tailscale ? `never joined the tailnet as ${ec2.tailscale.hostname}` : 'never got an IP address';
        const address = ec2.tailscale ? await tailnetAddress(ec2.tailscale.hostname) : (now.publicIp ?? now.privateIp);
        if (address && host.connection.kind === 'ssh') {
          stage = `never became reachable over SSH at ${address}:${host.connection.port} with its pinned host key`;
          const reached: DesiredHost = { ...host, connection: { ...host.connection, address } };
          const conn = await ctx.pool.get(reached);
          const res = await execWithin(conn, ['true'], 30);
          if (res.code === 0) return reached;
          last = `exit ${res.code}`;
        }
      }
    } catch (err) {
      if (err instanceof AwsCallError) throw err;
      if (/^is (terminated|shutting-down)$/.test((err as Error).message)) throw err;
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(POLL_MS, deadline - Date.now()))));
  }
  throw new Error(`${stage} within ${ctx.bootSeconds} s${last ? ` (last: ${last})` : ''}`);
}

async function tailnetAddress(hostname: string): Promise<string | undefined> {
  const device = (await new TailscaleApi().devices()).find((d) => d.hostname === hostname);
  return device?.addresses.find((a) => !a.includes(':')) ?? device?.addresses[0];
}

function describeAddress(host: DesiredHost): string {
  return host.connection.kind === 'ssh' ? `${host.connection.address}:${host.connection.port}` : host.name;
}
