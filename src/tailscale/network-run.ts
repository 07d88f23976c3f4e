import type { AuditSink } from '../audit/audit-log.js';
import { loadFleet } from '../load/load-fleet.js';
import { TailscaleApi, type TailnetDevice } from './client.js';
import { hostNetworkStatus, type HostNetworkStatus, type TailnetHostSpec } from './host-network.js';
import { ClawctlError } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';
import { validateFleet } from '../validate/validate-fleet.js';

export interface NetworkListResult {
  tailnet: string;
  devices: TailnetDevice[];
}

export interface NetworkStatusResult {
  tailnet: string;
  hosts: HostNetworkStatus[];
}

export interface NetworkTagResult {
  tailnet: string;
  /** Every host asked about, with what was (or, with --dry-run, would be) set. */
  hosts: { host: string; device: string; from: string[]; to: string[]; changed: boolean }[];
  dryRun: boolean;
}

/** The tailnet's devices, optionally only those with a tag (e.g. tag:clawctl). */
export async function listNetwork(tag?: string): Promise<NetworkListResult> {
  const api = new TailscaleApi();
  const devices = await api.devices();
  return { tailnet: api.tailnet, devices: tag ? devices.filter((d) => d.tags.includes(tag)) : devices };
}

/** Each Host with spec.tailscale against its device: found, online, SSH over the tailnet, tags. */
export async function networkStatus(fleetDir: string): Promise<NetworkStatusResult> {
  const hosts = tailnetHosts(await validateFleet(await loadFleet(fleetDir)));
  if (hosts.length === 0) {
    throw new ClawctlError(`no Host in ${fleetDir} has spec.tailscale`, [
      { message: 'nothing to check on the tailnet', hint: 'add `tailscale: {tags: [tag:clawctl]}` to the spec of each Host that joins it' },
    ]);
  }
  const api = new TailscaleApi();
  return { tailnet: api.tailnet, hosts: hostNetworkStatus(hosts, await api.devices()) };
}

/**
 * Set each named Host's device tags to its manifest's spec.tailscale.tags (all such Hosts
 * when none is named). Level-based: read the devices now, change only what differs; every
 * change is an audit entry.
 */
export async function tagHosts(fleetDir: string, names: readonly string[], opts: { dryRun: boolean; audit: AuditSink }): Promise<NetworkTagResult> {
  const all = tailnetHosts(await validateFleet(await loadFleet(fleetDir)));
  for (const n of names) {
    if (!all.some((h) => h.host === n)) {
      throw new ClawctlError(`no Host named ${n} with spec.tailscale in ${fleetDir}`, [
        { message: `unknown tailnet host ${n}`, hint: `hosts with spec.tailscale: ${all.map((h) => h.host).join(', ') || '(none)'}` },
      ]);
    }
  }
  const api = new TailscaleApi();
  const status = hostNetworkStatus(names.length > 0 ? all.filter((h) => names.includes(h.host)) : all, await api.devices());
  const missing = status.filter((s) => !s.device);
  if (missing.length > 0) {
    throw ClawctlError.of(
      missing.map((s) => ({ pos: s.pos, message: `host ${s.host}: ${s.problems[0]}`, hint: 'join it to the tailnet first (tailscale up), or fix spec.tailscale.hostname' })),
      `${missing.length} host(s) not found on tailnet ${api.tailnet}; nothing was tagged`,
    );
  }
  const hosts: NetworkTagResult['hosts'] = [];
  for (const s of status) {
    const changed = s.tags.add.length + s.tags.remove.length > 0;
    if (changed && !opts.dryRun) {
      await api.setTags(s.device!.id, s.tags.desired);
      await opts.audit.record([{ action: 'network.tag', target: s.host, result: 'ok', details: { device: s.device!.name, from: s.tags.actual.join(' '), to: s.tags.desired.join(' ') } }]);
    }
    hosts.push({ host: s.host, device: s.device!.name, from: s.tags.actual, to: s.tags.desired, changed });
  }
  return { tailnet: api.tailnet, hosts, dryRun: opts.dryRun };
}

function tailnetHosts(manifests: Manifests): TailnetHostSpec[] {
  return manifests.hosts
    .filter((h) => h.manifest.spec.tailscale)
    .map((h) => {
      const ts = h.manifest.spec.tailscale!;
      return {
        host: h.manifest.metadata.name,
        hostname: ts.hostname ?? h.manifest.metadata.name,
        ...(h.manifest.spec.ssh ? { address: h.manifest.spec.ssh.address } : {}),
        tags: ts.tags ?? [],
        pos: h.source.locate(['spec', 'tailscale']),
      };
    });
}
