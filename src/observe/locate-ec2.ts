import { fleetInstances, type Ec2Instance } from '../aws/ec2.js';
import type { DesiredHost, DesiredState } from '../desired/desired-state.js';
import { TailscaleApi, type TailnetDevice } from '../tailscale/client.js';
import { ec2HostState, ec2Regions, type Ec2Listing } from './observe-ec2.js';

export interface Ec2Located {
  /** The scoped desired state, each EC2 Host marked with what was found of its instance (running ones at their address). */
  desired: DesiredState;
  /** Instances of the fleet that no Host of the whole fleet declares. */
  undeclared: Ec2Instance[];
}

/**
 * Find the fleet's EC2 instances by their tags (one DescribeInstances per Region, no state
 * file), and each EC2 Host's address: its tailnet address (Tailscale API) or its IP. Fleets
 * without EC2 Hosts make no AWS call at all.
 */
export async function locateEc2Hosts(full: DesiredState, scoped: DesiredState, env: NodeJS.ProcessEnv = process.env): Promise<Ec2Located> {
  const regions = ec2Regions(full.hosts, env);
  if (regions.length === 0) return { desired: scoped, undeclared: [] };
  const listing = await list(regions, full.fleet.name);
  const declared = new Set(full.hosts.filter((h) => h.ec2).map((h) => `${h.ec2!.region}/${h.name}`));
  const undeclared = 'error' in listing ? [] : listing.instances.filter((i) => i.host !== '' && !declared.has(`${i.region}/${i.host}`));
  const onTailnet = scoped.hosts.some((h) => h.ec2?.tailscale && !('error' in listing) && listing.instances.some((i) => i.host === h.name));
  const devices = onTailnet ? await tailnetDevices(env) : undefined;
  const hosts = scoped.hosts.map((h) => {
    if (!h.ec2) return h;
    const found = ec2HostState(h, listing, devices);
    const host = found.kind === 'running' ? found.host : h;
    return { ...host, ec2: { ...h.ec2, found } };
  });
  return { desired: { ...scoped, hosts }, undeclared };
}

/**
 * For a command that connects to hosts itself, not through observe (import, backups list):
 * these hosts, each EC2 Host at its instance's address as plan finds it.
 */
export async function locatedHosts(desired: DesiredState, hosts: readonly DesiredHost[]): Promise<DesiredHost[]> {
  return (await locateEc2Hosts(desired, { ...desired, hosts: [...hosts] })).desired.hosts;
}

/** Why a located EC2 Host cannot be connected to now, or undefined when it can be (or it is no EC2 Host). */
export function ec2NotReachable(host: DesiredHost): { error: string; hint: string } | undefined {
  const found = host.ec2?.found;
  if (!found || found.kind === 'running') return undefined;
  if (found.kind === 'absent') return { error: `host ${host.name}: its EC2 instance does not exist yet`, hint: 'clawctl apply creates it' };
  return { error: found.error, hint: found.hint };
}

async function list(regions: string[], fleet: string): Promise<Ec2Listing> {
  try {
    const found = await Promise.all(regions.map((r) => fleetInstances(r, fleet)));
    return { instances: found.flat(), regions };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function tailnetDevices(env: NodeJS.ProcessEnv): Promise<TailnetDevice[] | { error: string }> {
  try {
    return await new TailscaleApi(env).devices();
  } catch (err) {
    return { error: (err as Error).message };
  }
}
