import { describe, expect, it } from 'vitest';
import { applyEdits, parseEdit } from '../../src/propose/manifest-edits.js';

const FILE = `# hosts and agents
apiVersion: clawctl.dev/v1
kind: Host
metadata: {name: h}
spec: {local: {home: ../home}}
---
# the agent
apiVersion: clawctl.dev/v1
kind: Agent
metadata:
  name: support # named for the team
  annotations:
    clawctl.dev/monthly-budget-usd: "40"
spec:
  host: h
  env:
  capabilities: [chat, search]
`;

describe('--set / --unset edits', () => {
  const cases: { name: string; set?: string; unset?: string; contains: string[]; absent?: string[] }[] = [
    {
      name: 'a new key under a null map, comments kept',
      set: 'agent/support:spec.env.LOG_LEVEL=debug',
      contains: ['  env:\n    LOG_LEVEL: debug\n', '# the agent', '# named for the team', '# hosts and agents\napiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h}\n'],
    },
    { name: 'a quoted key that holds dots and a slash', set: 'agent/support:metadata.annotations["clawctl.dev/monthly-budget-usd"]="80"', contains: ['clawctl.dev/monthly-budget-usd: "80"'] },
    { name: 'a list item by index', set: 'agent/support:spec.capabilities.1=browse', contains: ['capabilities: [ chat, browse ]'] },
    {
      name: 'a YAML mapping as the value',
      set: 'agent/support:spec.env.OPENAI_API_KEY={secretRef: {sops: secrets/a.sops.yaml, key: openai}}',
      contains: ['OPENAI_API_KEY: { secretRef: { sops: secrets/a.sops.yaml, key: openai } }'],
    },
    {
      name: 'the first document, nothing else changed',
      set: 'host/h:spec.service=systemd-user',
      contains: ['# hosts and agents\n', 'service: systemd-user', '# the agent\napiVersion: clawctl.dev/v1\nkind: Agent\nmetadata:\n  name: support # named for the team\n'],
    },
    { name: 'an unset', unset: 'agent/support:spec.capabilities', contains: ['  env:'], absent: ['capabilities'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const edit = parseEdit((c.set ?? c.unset)!, c.unset !== undefined);
      const out = applyEdits(FILE, [edit]);
      for (const s of c.contains) expect(out).toContain(s);
      for (const s of c.absent ?? []) expect(out).not.toContain(s);
    });
  }

  const bad: [string, boolean, RegExp][] = [
    ['agent/support', false, /expected KIND\/NAME:PATH=VALUE/],
    ['widget/x:spec.a=1', false, /unknown kind "widget"/],
    ['agent:spec.a=1', false, /name the agent/],
    ['agent/support:metadata.name=other', false, /identify the object/],
    ['agent/support:spec.a=[1', false, /not valid YAML/],
    ['agent/support:spec..a=1', false, /cannot read the path/],
  ];
  for (const [spec, unset, message] of bad) {
    it(`refuses ${spec}`, () => expect(() => parseEdit(spec, unset)).toThrow(message));
  }

  it('refuses a field inside a scalar and an unset of nothing', () => {
    expect(() => applyEdits(FILE, [parseEdit('agent/support:spec.host.name=x', false)])).toThrow(/holds a value, not a map or list/);
    expect(() => applyEdits(FILE, [parseEdit('agent/support:spec.env.NOPE', true)])).toThrow(/there is no spec\.env\.NOPE to remove/);
  });

  it('the Fleet needs no name', () => {
    expect(parseEdit('fleet:spec.openclaw.version=2026.9.7', false)).toMatchObject({ kind: 'Fleet', path: ['spec', 'openclaw', 'version'], value: '2026.9.7' });
  });
});
