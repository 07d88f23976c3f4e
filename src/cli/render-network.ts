import type { NetworkListResult, NetworkStatusResult, NetworkTagResult } from '../tailscale/network-run.js';
import { formatPos } from '../util/errors.js';
import { table } from './table.js';

export function renderDevices(r: NetworkListResult): string {
  if (r.devices.length === 0) return `No devices on tailnet ${r.tailnet}.`;
  const rows = r.devices.map((d) => [d.hostname, d.online ? 'online' : `offline (${d.lastSeen ?? 'never'})`, d.addresses.join(' '), d.tags.join(' ') || '-']);
  return table(['HOSTNAME', 'STATE', 'ADDRESSES', 'TAGS'], rows);
}

export function renderNetworkStatus(r: NetworkStatusResult): string {
  const out = [`Tailnet ${r.tailnet}:`];
  for (const h of r.hosts) {
    const where = h.device ? `${h.device.name} (${h.device.addresses.join(', ')}, by ${h.matchedBy})` : 'not found';
    out.push(`  ${h.problems.length === 0 ? '✓' : '✗'} ${h.host}: ${where}`);
    for (const p of h.problems) out.push(`      ${formatPos(h.pos)}: ${p}`);
  }
  return out.join('\n');
}

export function renderTagResult(r: NetworkTagResult): string {
  const changed = r.hosts.filter((h) => h.changed);
  const lines = r.hosts.map(
    (h) => `  ${h.changed ? '~' : '='} ${h.host} (${h.device}): ${h.changed ? `${h.from.join(' ') || '(none)'} → ${h.to.join(' ') || '(none)'}` : `${h.to.join(' ') || '(none)'}, as in the fleet`}`,
  );
  const verdict = changed.length === 0 ? 'Every device already has its tags.' : r.dryRun ? `Dry run: ${changed.length} device(s) would be retagged.` : `Retagged ${changed.length} device(s).`;
  return [`Tailnet ${r.tailnet}:`, ...lines, verdict].join('\n');
}
