import { describe, expect, it } from 'vitest';
import { diffHost } from '../../src/diff/diff-host.js';
import { desiredObserver } from '../../src/observe/observer-gate.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEa1t1VUp6X7xXkqgD0tNjG3jAJ0b4QnqkNwT4l0vFzq ci@example';

describe('a host’s own setup: the observation gate', () => {
  const want = desiredObserver('prod', KEY, true, 'hash-key');
  const cases: [string, Parameters<typeof diffHost>, string[]][] = [
    ['none wanted, none there', [undefined, undefined], []],
    ['none wanted, one there: removed', [undefined, { version: 'abc', authorized: false }], ['delete']],
    ['wanted, missing: installed', [want, undefined], ['create']],
    ['wanted, version file gone: installed', [want, { version: null, authorized: true }], ['create']],
    ['wanted, older version: updated', [want, { version: 'old', authorized: true }], ['update']],
    ['wanted, key line removed by hand: updated', [want, { version: want.version, authorized: false }], ['update']],
    ['wanted and current', [want, { version: want.version, authorized: true }], []],
    ['line left to the user: its absence is no drift', [desiredObserver('prod', KEY, false, 'hash-key'), { version: desiredObserver('prod', KEY, false, 'hash-key').version, authorized: false }], []],
  ];
  it.each(cases)('%s', (_name, args, expected) => {
    expect(diffHost(...args).map((a) => a.action)).toEqual(expected);
  });

  it('changes version with the hash key, and the plan shows only a digest of it', () => {
    expect(desiredObserver('prod', KEY, true, 'other-key').version).not.toBe(want.version);
    const [action] = diffHost(want, undefined);
    expect(JSON.stringify(action)).not.toContain('hash-key');
    expect(action).toMatchObject({ key: expect.stringMatching(/^SHA256:/), authorizedKeys: true });
  });

  it('pins the key to the gate with restrict, under the fleet’s marker', () => {
    expect(want.line).toBe(`restrict,command="sh .clawctl/observe/gate.sh" ${KEY.split(' ').slice(0, 2).join(' ')} clawctl-observer:prod`);
  });
});
