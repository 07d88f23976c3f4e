import { describe, expect, it } from 'vitest';
import type { TailnetDevice } from '../../src/tailscale/client.js';
import { hostNetworkStatus, type TailnetHostSpec } from '../../src/tailscale/host-network.js';

const pos = { file: 'fleet/hosts.yaml', line: 3, col: 3 };
const device = (over: Partial<TailnetDevice>): TailnetDevice => ({ id: '1', name: 'a.ts.net', hostname: 'a', addresses: ['100.64.0.1'], tags: ['tag:clawctl'], online: true, ...over });
const host = (over: Partial<TailnetHostSpec>): TailnetHostSpec => ({ host: 'a', hostname: 'a', tags: ['tag:clawctl'], pos, ...over });

describe('hostNetworkStatus', () => {
  const cases: { name: string; host: TailnetHostSpec; devices: TailnetDevice[]; matchedBy?: string; problems: RegExp[] }[] = [
    { name: 'in sync, found by address', host: host({ address: '100.64.0.1' }), devices: [device({})], matchedBy: 'address', problems: [] },
    {
      name: 'address wins over a hostname clash',
      host: host({ address: '100.64.0.2' }),
      devices: [device({}), device({ id: '2', addresses: ['100.64.0.2'], hostname: 'b' })],
      matchedBy: 'address',
      problems: [],
    },
    { name: 'by hostname, SSH not over the tailnet', host: host({ address: '10.0.0.5' }), devices: [device({})], matchedBy: 'hostname', problems: [/SSH goes to 10\.0\.0\.5, not over the tailnet/] },
    { name: 'two devices with the hostname: ambiguous', host: host({}), devices: [device({}), device({ id: '2' })], problems: [/2 devices are named a: pin spec\.ssh\.address/] },
    {
      name: 'offline and unauthorized',
      host: host({}),
      devices: [device({ online: false, lastSeen: '2026-11-01T00:00:00Z', authorized: false })],
      matchedBy: 'hostname',
      problems: [/offline \(last seen 2026-11-01/, /not authorized/],
    },
    {
      name: 'tags to add and remove',
      host: host({ tags: ['tag:clawctl', 'tag:prod'] }),
      devices: [device({ tags: ['tag:clawctl', 'tag:old'] })],
      matchedBy: 'hostname',
      problems: [/tags differ: \+tag:prod -tag:old/],
    },
    { name: 'not on the tailnet', host: host({ hostname: 'z' }), devices: [device({})], problems: [/no device on the tailnet is named z/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [s] = hostNetworkStatus([c.host], c.devices);
      expect(s!.matchedBy).toBe(c.matchedBy);
      expect(s!.problems).toHaveLength(c.problems.length);
      c.problems.forEach((re, i) => expect(s!.problems[i]).toMatch(re));
    });
  }
});
