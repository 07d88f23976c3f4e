import { formatPos, type Diagnostic } from '../util/errors.js';
import { DEFAULT_GATEWAY_PORT } from '../openclaw/paths.js';
import type { AgentManifest, AnyManifest, FleetManifest, HostManifest, PolicyManifest, Sourced } from './manifests.js';

/**
 * Checks that span documents: unique names, agent → host, no two agents sharing a state dir
 * or port, and one OpenClaw version per host (its agents share one install).
 */
export function crossReferenceDiagnostics(hosts: Sourced<HostManifest>[], agents: Sourced<AgentManifest>[], policies: Sourced<PolicyManifest>[], fleet?: Sourced<FleetManifest>): Diagnostic[] {
  const problems = [...duplicateNames(hosts), ...duplicateNames(agents), ...duplicateNames(policies)];
  const hostNames = new Set(hosts.map((h) => h.manifest.metadata.name));
  for (const agent of agents) {
    const host = agent.manifest.spec.host;
    if (!hostNames.has(host)) {
      problems.push({
        pos: agent.source.locate(['spec', 'host']),
        message: `agent "${agent.manifest.metadata.name}" names host "${host}", which no Host manifest defines`,
        hint: hostNames.size > 0 ? `known hosts: ${[...hostNames].sort().join(', ')}` : 'add a Host manifest',
      });
    }
  }
  problems.push(...sharedOnHost(agents, 'profile', (a) => a.manifest.spec.openclaw?.profile ?? '(default)', ['spec', 'openclaw', 'profile']));
  problems.push(...sharedOnHost(agents, 'gateway port', (a) => String(gatewayPort(a.manifest)), ['spec', 'openclaw', 'config', 'gateway', 'port']));
  problems.push(...versionsPerHost(agents, fleet));
  return problems;
}

/** Every agent of a host runs the host's one OpenClaw install: their pins must agree. */
function versionsPerHost(agents: Sourced<AgentManifest>[], fleet: Sourced<FleetManifest> | undefined): Diagnostic[] {
  const fleetPin = fleet?.manifest.spec.openclaw?.version;
  const where = (a: Sourced<AgentManifest>) => (a.manifest.spec.openclaw?.version ? a.source.locate(['spec', 'openclaw', 'version']) : fleet!.source.locate(['spec', 'openclaw', 'version']));
  const first = new Map<string, Sourced<AgentManifest>>();
  const out: Diagnostic[] = [];
  for (const agent of agents) {
    const pin = agent.manifest.spec.openclaw?.version ?? fleetPin;
    if (!pin) continue;
    const host = agent.manifest.spec.host;
    const earlier = first.get(host);
    if (!earlier) {
      first.set(host, agent);
      continue;
    }
    const earlierPin = earlier.manifest.spec.openclaw?.version ?? fleetPin;
    if (earlierPin === pin) continue;
    out.push({
      pos: where(agent),
      message: `agent "${agent.manifest.metadata.name}" pins OpenClaw ${pin}, but agent "${earlier.manifest.metadata.name}" on the same host "${host}" pins ${earlierPin}: a host runs one version, which all its agents share`,
      hint: `pin one version for both (${earlierPin} is at ${formatPos(where(earlier))}), or move one agent to another host`,
    });
  }
  return out;
}

function gatewayPort(agent: AgentManifest): unknown {
  const gateway = agent.spec.openclaw?.config?.gateway;
  const port = typeof gateway === 'object' && gateway !== null && !Array.isArray(gateway) ? gateway.port : undefined;
  return port ?? DEFAULT_GATEWAY_PORT;
}

function duplicateNames<M extends AnyManifest>(items: Sourced<M>[]): Diagnostic[] {
  const first = new Map<string, Sourced<M>>();
  const out: Diagnostic[] = [];
  for (const item of items) {
    const name = item.manifest.metadata.name;
    const earlier = first.get(name);
    if (!earlier) {
      first.set(name, item);
      continue;
    }
    out.push({
      pos: item.source.locate(['metadata', 'name']),
      message: `duplicate ${item.manifest.kind} name "${name}"`,
      hint: `first defined at ${formatPos(earlier.source.locate(['metadata', 'name']))}`,
    });
  }
  return out;
}

/** Two agents on one host must differ in what `value` returns (their state dir, their port). */
function sharedOnHost(agents: Sourced<AgentManifest>[], what: string, value: (a: Sourced<AgentManifest>) => string, path: string[]): Diagnostic[] {
  const seen = new Map<string, Sourced<AgentManifest>>();
  const out: Diagnostic[] = [];
  for (const agent of agents) {
    const key = `${agent.manifest.spec.host}\0${value(agent)}`;
    const earlier = seen.get(key);
    if (!earlier) {
      seen.set(key, agent);
      continue;
    }
    out.push({
      pos: agent.source.locate(path),
      message: `agents "${earlier.manifest.metadata.name}" and "${agent.manifest.metadata.name}" on host "${agent.manifest.spec.host}" share the ${what} ${value(agent)}`,
      hint: `agents on one host need distinct spec.openclaw.profile and gateway.port; the other is at ${formatPos(earlier.source.locate([]))}`,
    });
  }
  return out;
}
