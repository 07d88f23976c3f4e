import { describe, expect, it } from 'vitest';
import type { DesiredHost } from '../../src/desired/desired-state.js';
import { diffHost, type HostFacts } from '../../src/diff/diff-host.js';
import type { ObserverFacts } from '../../src/observe/observed-state.js';
import { desiredObserver, type DesiredObserver } from '../../src/observe/observer-gate.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEa1t1VUp6X7xXkqgD0tNjG3jAJ0b4QnqkNwT4l0vFzq ci@example';

const HOST: DesiredHost = { name: 'h1', labels: {}, connection: { kind: 'local', home: '/nowhere' }, service: 'process', commandTimeoutSeconds: 30 };
const facts = (observer?: ObserverFacts, more: Partial<HostFacts> = {}): HostFacts => ({
  openclaw: {},
  platform: { arch: 'x86_64', installs: [], missingTools: [] },
  ...(observer ? { observer } : {}),
  ...more,
});
const actions = (r: ReturnType<typeof diffHost>) => ('error' in r ? r : r.map((a) => `${a.type} ${a.action}`));

describe('a host’s own setup: the observation gate', () => {
  const want = desiredObserver('prod', KEY, true, 'hash-key');
  const cases: [string, [DesiredObserver | undefined, ObserverFacts | undefined], string[]][] = [
    ['none wanted, none there', [undefined, undefined], []],
    ['none wanted, one there: removed', [undefined, { version: 'abc', authorized: false }], ['delete']],
    ['wanted, missing: installed', [want, undefined], ['create']],
    ['wanted, version file gone: installed', [want, { version: null, authorized: true }], ['create']],
    ['wanted, older version: updated', [want, { version: 'old', authorized: true }], ['update']],
    ['wanted, key line removed by hand: updated', [want, { version: want.version, authorized: false }], ['update']],
    ['wanted and current', [want, { version: want.version, authorized: true }], []],
    ['line left to the user: its absence is no drift', [desiredObserver('prod', KEY, false, 'hash-key'), { version: desiredObserver('prod', KEY, false, 'hash-key').version, authorized: false }], []],
  ];
  it.each(cases)('%s', (_name, [observer, seen], expected) => {
    expect(actions(diffHost(HOST, observer, facts(seen)))).toEqual(expected.map((a) => `observer ${a}`));
  });

  it('changes version with the hash key, and the plan shows only a digest of it', () => {
    expect(desiredObserver('prod', KEY, true, 'other-key').version).not.toBe(want.version);
    const [action] = diffHost(HOST, want, facts()) as Exclude<ReturnType<typeof diffHost>, { error: string }>;
    expect(JSON.stringify(action)).not.toContain('hash-key');
    expect(action).toMatchObject({ key: expect.stringMatching(/^SHA256:/), authorizedKeys: true });
  });

  it('pins the key to the gate with restrict, under the fleet’s marker', () => {
    expect(want.line).toBe(`restrict,command="sh .clawctl/observe/gate.sh" ${KEY.split(' ').slice(0, 2).join(' ')} clawctl-observer:prod`);
  });
});

describe('a host’s own setup: the OpenClaw install', () => {
  const pinned = { ...HOST, openclawVersion: '2026.9.6' };
  const cases: [string, DesiredHost, HostFacts, unknown][] = [
    ['no pin: nothing to install', HOST, facts(), []],
    ['pinned and on the PATH', pinned, facts(undefined, { openclaw: { version: '2026.9.6' } }), []],
    ['a bare host: installed', pinned, facts(), ['openclaw create']],
    ['another version: updated beside it', pinned, facts(undefined, { openclaw: { version: '2026.9.5' } }), ['openclaw update']],
    [
      'no tar: refused, naming it',
      pinned,
      facts(undefined, { platform: { arch: 'x86_64', installs: [], missingTools: ['tar', 'gzip'] } }),
      { error: 'host h1 has no tar, gzip, which installing OpenClaw 2026.9.6 needs', hint: 'install tar and gzip on the host (Debian/Ubuntu: apt-get install tar gzip), then plan again' },
    ],
    ['no tar but already unpacked: only the link moves', pinned, facts(undefined, { platform: { arch: 'x86_64', installs: ['2026.9.6'], missingTools: ['tar'] } }), ['openclaw create']],
    [
      'a machine Node is not built for',
      pinned,
      facts(undefined, { platform: { arch: 'riscv64', installs: [], missingTools: [] } }),
      {
        error: 'host h1: OpenClaw 2026.9.6 cannot be installed on a riscv64; clawctl installs Node for x86_64 and aarch64 Linux',
        hint: "run this host's agents on an x86_64 or aarch64 Linux machine",
      },
    ],
  ];
  it.each(cases)('%s', (_name, host, seen, expected) => {
    expect(actions(diffHost(host, undefined, seen))).toEqual(expected);
  });

  it('says where from, and whether it is unpacked already', () => {
    expect(diffHost(pinned, undefined, facts(undefined, { openclaw: { version: '2026.9.5' }, platform: { arch: 'aarch64', installs: ['2026.9.5', '2026.9.6'], missingTools: [] } }))).toEqual([
      { type: 'openclaw', action: 'update', from: '2026.9.5', to: '2026.9.6', node: expect.stringMatching(/^24\./), arch: 'arm64', unpacked: true, restore: false },
    ]);
  });
});
