import { MANAGED_ENV } from '../openclaw/managed-env.js';
import { isAbsolute, resolve } from 'node:path';
import type { LoadedFleet } from '../load/load-fleet.js';
import { dotenvProblem } from '../openclaw/dotenv.js';
import { DEFAULT_GATEWAY_PORT, stateDirName } from '../openclaw/paths.js';
import { ClawctlError, type Diagnostic } from '../util/errors.js';
import { isObject, type JsonObject } from '../util/json.js';
import { Sensitive } from '../util/sensitive.js';
import { fallbackHashKey } from '../util/hash.js';
import type { CronJob, Ec2Spec, EnvMap, HostManifest, HostSpec, Manifests, Sourced, SourcedAgent } from '../validate/manifests.js';
import { renderConfig } from './config-layers.js';
import type { Connection, DesiredAgent, DesiredEc2, DesiredHost, DesiredState } from './desired-state.js';
import { EC2_ROOT_VOLUME_GIB } from '../aws/ec2-defaults.js';
import { refKey, type ResolvedSecrets } from '../secrets/resolve.js';
import { desiredObserver } from '../observe/observer-gate.js';

const DEFAULT_SSH_PORT = 22;
/** A host command that has not finished in two minutes is hung, not slow: facts take well under a second. */
const DEFAULT_COMMAND_TIMEOUT = 120;

/**
 * Desired state per host and agent: Fleet defaults merged under each agent's own settings.
 * `secrets` holds the resolved secretRefs; without it (validate) .env carries literals only.
 */
export function renderDesired(loaded: LoadedFleet, manifests: Manifests, secrets?: ResolvedSecrets): DesiredState {
  const fleet = manifests.fleet.manifest;
  // Keys the hashes plans show (validate never hashes, so it needs no secrets).
  const key = secrets?.hashKey ?? fallbackHashKey(fleet.metadata.name);
  const problems: Diagnostic[] = [];
  const hosts = manifests.hosts.map((h) => renderHost(h, loaded.dir, fleet.spec.defaults?.service, fleet.spec.commandTimeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT));
  const agents = manifests.agents.map((a) => renderAgent(a, manifests, key, problems, secrets));
  for (const host of hosts) {
    const version = agents.find((a) => a.host === host.name && a.version)?.version;
    if (version) host.openclawVersion = version;
  }
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} problem(s) in ${loaded.dir}`);
  const observer = fleet.spec.observer;
  return {
    fleet: { name: fleet.metadata.name, contentHash: loaded.contentHash, files: loaded.files, key },
    ...(observer ? { observer: desiredObserver(fleet.metadata.name, observer.publicKey, observer.authorizedKeys ?? true, key) } : {}),
    rollout: {
      maxUnavailable: fleet.spec.rollout?.maxUnavailable ?? 1,
      healthTimeoutSeconds: fleet.spec.rollout?.healthTimeoutSeconds ?? 60,
      waves: fleet.spec.rollout?.waves ?? [],
    },
    hosts,
    agents,
  };
}

function renderHost({ manifest }: Sourced<HostManifest>, fleetDir: string, defaultService: DesiredHost['service'] | undefined, commandTimeoutSeconds: number): DesiredHost {
  const spec = manifest.spec;
  let connection: Connection;
  if (spec.ssh) {
    const { address, port, user, hostKey, identityFile } = spec.ssh;
    connection = { kind: 'ssh', address, port: port ?? DEFAULT_SSH_PORT, user, hostKey, ...(identityFile ? { identityFile } : {}) };
  } else if (spec.ssm) {
    const { instanceId, region, user } = spec.ssm;
    connection = { kind: 'ssm', instanceId, region, user };
  } else if (spec.provider) {
    const { user, hostKey, identityFile, port } = spec.provider.ec2;
    connection = { kind: 'ssh', address: '', port: port ?? DEFAULT_SSH_PORT, user, hostKey, ...(identityFile ? { identityFile } : {}) };
  } else {
    const home = spec.local!.home;
    connection = { kind: 'local', home: isAbsolute(home) ? home : resolve(fleetDir, home) };
  }
  return {
    name: manifest.metadata.name,
    labels: manifest.metadata.labels ?? {},
    connection,
    service: spec.service ?? defaultService ?? 'systemd-user',
    commandTimeoutSeconds,
    ...(spec.provider ? { ec2: desiredEc2(spec.provider.ec2, manifest.metadata.name, spec.tailscale) } : {}),
  };
}

function desiredEc2(spec: Ec2Spec, name: string, tailscale: HostSpec['tailscale']): DesiredEc2 {
  const { tags, rootVolumeGiB, port: _port, ...rest } = spec;
  return {
    ...rest,
    tags: tags ?? {},
    rootVolumeGiB: rootVolumeGiB ?? EC2_ROOT_VOLUME_GIB,
    ...(tailscale ? { tailscale: { hostname: tailscale.hostname ?? name, tags: tailscale.tags ?? [] } } : {}),
  };
}

function renderAgent(agent: SourcedAgent, all: Manifests, key: string, problems: Diagnostic[], secrets: ResolvedSecrets | undefined): DesiredAgent {
  const { manifest, source } = agent;
  const fleet = all.fleet.manifest.spec;
  const spec = manifest.spec;
  const config = renderConfig(agent, all.fleet);
  const env: Record<string, Sensitive> = {};
  for (const [origin, map] of [
    [all.fleet, fleet.defaults?.env],
    [{ source }, spec.env],
  ] as const) {
    for (const [name, value] of Object.entries((map ?? {}) as EnvMap)) {
      if (typeof value === 'object') {
        const ref = refKey(value.secretRef);
        const resolved = secrets?.values.get(ref);
        const recorded = secrets?.recorded.get(ref);
        if (resolved !== undefined) env[name] = new Sensitive(resolved, key);
        else if (recorded !== undefined) env[name] = Sensitive.ofHash(recorded);
        continue;
      }
      const problem = dotenvProblem(String(value));
      if (problem) {
        problems.push({ pos: origin.source.locate(origin === all.fleet ? ['spec', 'defaults', 'env', name] : ['spec', 'env', name]), message: `${name}: the value ${problem}` });
        continue;
      }
      env[name] = new Sensitive(String(value), key);
    }
  }
  for (const [name, value] of Object.entries(MANAGED_ENV)) env[name] = new Sensitive(value, key);
  const version = spec.openclaw?.version ?? fleet.openclaw?.version;
  const profile = spec.openclaw?.profile;
  return {
    name: manifest.metadata.name,
    host: spec.host,
    ...(spec.role ? { role: spec.role } : {}),
    labels: manifest.metadata.labels ?? {},
    ...(profile ? { profile } : {}),
    stateDir: stateDirName(profile),
    ...(version ? { version } : {}),
    port: gatewayPort(config),
    config,
    env,
    ignore: [...(fleet.defaults?.ignoreDifferences ?? []), ...(spec.ignoreDifferences ?? [])],
    ...(spec.cron && spec.cron.length > 0 ? { cron: cronJobs(spec.cron, agent, problems) } : {}),
  };
}

/** clawctl finds a job by its name, so each name once; OpenClaw takes a time zone only with a cron expression or a one-shot time. */
function cronJobs(jobs: CronJob[], { source }: SourcedAgent, problems: Diagnostic[]): CronJob[] {
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    if (seen.has(job.name)) problems.push({ pos: source.locate(['spec', 'cron', i, 'name']), message: `cron job ${JSON.stringify(job.name)} is named twice; clawctl finds a job by its name` });
    seen.add(job.name);
    if (job.tz !== undefined && /^every\s/i.test(job.schedule.trim()))
      problems.push({
        pos: source.locate(['spec', 'cron', i, 'tz']),
        message: `cron job ${JSON.stringify(job.name)}: OpenClaw takes tz only for a cron expression or a one-shot time, not for an interval`,
      });
  });
  return jobs;
}

function gatewayPort(config: JsonObject): number {
  const gateway = config.gateway;
  return isObject(gateway) && typeof gateway.port === 'number' ? gateway.port : DEFAULT_GATEWAY_PORT;
}
