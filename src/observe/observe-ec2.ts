import { createHash } from 'node:crypto';
import type { DesiredAgent, DesiredHost, Ec2HostState } from '../desired/desired-state.js';
import type { Ec2Instance } from '../aws/ec2.js';
import { archOfInstanceType } from '../aws/ec2-defaults.js';
import type { TailnetDevice } from '../tailscale/client.js';
import type { HostObservation } from './observed-state.js';

/** The fleet's instances as EC2 lists them by their tags (no state file), or why they could not be listed. */
export type Ec2Listing = { instances: Ec2Instance[]; regions: string[] } | { error: string };

/**
 * The Regions to look in: those of the fleet's EC2 Hosts (the whole fleet's, so a shard or a
 * target still sees instances no Host declares), and CLAWCTL_EC2_REGIONS (comma-separated),
 * for a Region whose last Host left the fleet.
 */
export function ec2Regions(hosts: readonly DesiredHost[], env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.CLAWCTL_EC2_REGIONS ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return [...new Set([...hosts.flatMap((h) => (h.ec2 ? [h.ec2.region] : [])), ...extra])].sort();
}

/**
 * Pure: an EC2 Host against the instances found and, for hosts on the tailnet, the tailnet's
 * devices. A running instance is reached at its tailnet address (spec.tailscale), else at its
 * public, else its private IP.
 */
export function ec2HostState(host: DesiredHost, listing: Ec2Listing, devices: readonly TailnetDevice[] | { error: string } | undefined): Ec2HostState {
  const ec2 = host.ec2!;
  if ('error' in listing)
    return {
      kind: 'problem',
      error: `host ${host.name}: its EC2 instance could not be looked up: ${listing.error}`,
      hint: 'check the AWS credentials and Region (AWS_REGION, AWS_ENDPOINT_URL), then plan again',
    };
  const mine = listing.instances.filter((i) => i.host === host.name && i.region === ec2.region);
  if (mine.length === 0) return { kind: 'absent' };
  if (mine.length > 1) {
    return {
      kind: 'problem',
      error: `host ${host.name}: ${mine.length} EC2 instances are tagged for it (${mine.map((i) => i.instanceId).join(', ')})`,
      hint: 'terminate the ones that are not the host (the AWS console, or aws ec2 terminate-instances), then plan again',
    };
  }
  const instance = mine[0]!;
  if (instance.state !== 'running') {
    const starting = instance.state === 'pending';
    return {
      kind: 'problem',
      error: `host ${host.name}: its EC2 instance ${instance.instanceId} is ${instance.state}`,
      hint: starting ? 'it is starting: plan again in a minute' : `start it (aws ec2 start-instances --instance-ids ${instance.instanceId}), or remove the Host to terminate it`,
    };
  }
  let address = instance.publicIp ?? instance.privateIp;
  if (ec2.tailscale) {
    if (!devices || 'error' in devices) {
      return {
        kind: 'problem',
        error: `host ${host.name}: its tailnet address could not be looked up${devices ? `: ${devices.error}` : ''}`,
        hint: 'set TAILSCALE_API_KEY (and TAILSCALE_TAILNET): clawctl manages this host over the tailnet',
      };
    }
    const device = devices.find((d) => d.hostname === ec2.tailscale!.hostname);
    address = device?.addresses.find((a) => !a.includes(':')) ?? device?.addresses[0];
    if (!address) {
      return {
        kind: 'problem',
        error: `host ${host.name}: instance ${instance.instanceId} runs, but no device named ${ec2.tailscale.hostname} is on the tailnet`,
        hint: 'its first boot joins the tailnet; if it has not within minutes, see /var/log/cloud-init-output.log on the instance (the EC2 serial console)',
      };
    }
  }
  if (!address) {
    return {
      kind: 'problem',
      error: `host ${host.name}: instance ${instance.instanceId} has no IP address`,
      hint: 'give it a subnet that assigns addresses, or join it to the tailnet (spec.tailscale)',
    };
  }
  if (host.connection.kind !== 'ssh') return { kind: 'problem', error: `host ${host.name}: an EC2 host is reached over SSH`, hint: 'remove spec.ssm' };
  return { kind: 'running', instance, host: { ...host, connection: { ...host.connection, address } } };
}

/**
 * What observing a host that does not exist yet would find: a fresh machine of the instance
 * type's kind, no OpenClaw, no agents. The plan for it is the bootstrap from nothing.
 */
export function freshHostObservation(host: DesiredHost, agents: readonly DesiredAgent[]): HostObservation {
  const user = host.connection.kind === 'ssh' ? host.connection.user : undefined;
  const systemd = host.service === 'systemd' || host.service === 'systemd-user';
  const fingerprint = createHash('sha256').update(`ec2-absent\0${host.name}`).digest('hex');
  return {
    host: host.name,
    ok: true,
    openclaw: {},
    agents: agents.map((a) => ({ name: a.name, host: host.name, config: null, env: null, health: { state: 'down' }, fingerprint, ...(systemd ? { unit: null } : {}) })),
    managed: [],
    platform: { arch: archOfInstanceType(host.ec2!.instanceType), ...(user ? { user, home: `/home/${user}` } : {}), installs: [], missingTools: [] },
  };
}

/** An EC2 Host observation needs no SSH for: its instance is absent (a fresh machine is planned) or cannot be managed now. */
export function settledEc2Observation(host: DesiredHost, agents: readonly DesiredAgent[]): HostObservation | undefined {
  if (!host.ec2) return undefined;
  const found = host.ec2.found;
  if (!found) {
    return { host: host.name, ok: false, error: `host ${host.name}: an EC2 host, whose instance this command does not look up`, hint: 'clawctl plan and status find it by its tags' };
  }
  if (found.kind === 'absent') return freshHostObservation(host, agents);
  if (found.kind === 'problem') return { host: host.name, ok: false, error: found.error, hint: found.hint };
  return undefined;
}
