import type { SourcePos } from '../util/errors.js';
import type { TailnetDevice } from './client.js';

/** What the fleet says of a host's place on the tailnet. */
export interface TailnetHostSpec {
  host: string;
  /** The device's hostname on the tailnet (spec.tailscale.hostname, else the Host's name). */
  hostname: string;
  /** The SSH address, if any: a tailnet address identifies the device best. */
  address?: string;
  tags: string[];
  pos: SourcePos;
}

export interface HostNetworkStatus {
  host: string;
  /** file:line of the Host's spec.tailscale. */
  pos: SourcePos;
  device: TailnetDevice | null;
  /** How the device was found: by the Host's SSH address or by hostname. */
  matchedBy?: 'address' | 'hostname';
  tags: { desired: string[]; actual: string[]; add: string[]; remove: string[] };
  /** What a person should know: not on the tailnet, offline, SSH not over the tailnet, tags off. */
  problems: string[];
}

/** Agents' machines (tag:claw) and the control plane's (tag:clawctl) are kept apart by the tailnet policy: no device is both. */
export const FORBIDDEN_PAIR = ['tag:claw', 'tag:clawctl'] as const;

/**
 * Desired (Hosts with spec.tailscale) against observed (the tailnet's devices), pure: each
 * host's device, whether it is online, and how its tags differ from the manifest's.
 */
export function hostNetworkStatus(hosts: readonly TailnetHostSpec[], devices: readonly TailnetDevice[]): HostNetworkStatus[] {
  return hosts.map((h) => {
    const byAddress = h.address ? devices.find((d) => d.addresses.includes(h.address!)) : undefined;
    const byName = byAddress ? undefined : devices.filter((d) => d.hostname === h.hostname);
    const device = byAddress ?? (byName?.length === 1 ? byName[0]! : undefined) ?? null;
    const actual = device?.tags ?? [];
    const tags = { desired: h.tags, actual, add: h.tags.filter((t) => !actual.includes(t)), remove: actual.filter((t) => !h.tags.includes(t)) };
    const problems: string[] = [];
    if (!device) {
      problems.push(
        byName && byName.length > 1
          ? `${byName.length} devices are named ${h.hostname}: pin spec.ssh.address to its tailnet address`
          : `no device on the tailnet ${h.address ? `has address ${h.address} or ` : ''}is named ${h.hostname}`,
      );
    } else {
      if (!device.online) problems.push(`offline (last seen ${device.lastSeen ?? 'never'})`);
      if (device.authorized === false) problems.push('not authorized to join the tailnet');
      if (h.address && !device.addresses.includes(h.address)) problems.push(`SSH goes to ${h.address}, not over the tailnet (${device.addresses.join(', ')})`);
      if (FORBIDDEN_PAIR.every((t) => actual.includes(t))) {
        problems.push(`tagged both ${FORBIDDEN_PAIR.join(' and ')}: one device would be both an agent's machine and the control plane's, so tag isolation between them fails`);
      }
      if (tags.add.length + tags.remove.length > 0) problems.push(`tags differ: ${[...tags.add.map((t) => `+${t}`), ...tags.remove.map((t) => `-${t}`)].join(' ')} (clawctl network tag ${h.host})`);
    }
    return { host: h.host, pos: h.pos, device, ...(device ? { matchedBy: byAddress ? ('address' as const) : ('hostname' as const) } : {}), tags, problems };
  });
}
