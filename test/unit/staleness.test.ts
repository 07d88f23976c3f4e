import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/desired/desired-state.js';
import type { ObservedState } from '../../src/observe/observed-state.js';
import { makePlan } from '../../src/plan/make-plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { savedPlanDifferences } from '../../src/plan/saved-plan-check.js';
import { staleness } from '../../src/plan/stale-check.js';
import type { Diagnostic } from '../../src/util/errors.js';
import { Sensitive } from '../../src/util/sensitive.js';

/**
 * A saved plan applies only to the state it was made from, and only as it was made. One
 * fleet and its hosts make a plan (a: config, .env and restart; b: version and restart;
 * old-bot: destroy); each case changes the fleet, the hosts or the plan file, and the check
 * `apply FILE` runs (apply-run.ts: staleness, then the plan derived again and compared) must
 * name exactly what differs, and nothing when nothing does.
 */
const KEY = 'fleet-key';
const secret = (v: string) => new Sensitive(v, KEY);
const HINT = 'a saved plan applies only as it was made: run `clawctl plan --out FILE` again and review it';
const FLEET_HINT = 'run `clawctl plan --out FILE` again and review the new plan';

function fleet(): DesiredState {
  return {
    fleet: { name: 'prod', contentHash: 'sha256:c1', key: KEY, files: { 'fleet/fleet.yaml': 'sha256:f1', 'fleet/agents/a.yaml': 'sha256:a1', 'fleet/agents/b.yaml': 'sha256:b1' } },
    rollout: { maxUnavailable: 1, healthTimeoutSeconds: 30, waves: [] },
    hosts: [
      { name: 'h1', labels: {}, connection: { kind: 'local', home: '/nowhere' }, service: 'systemd-user', commandTimeoutSeconds: 30 },
      { name: 'h2', labels: {}, connection: { kind: 'local', home: '/nowhere' }, service: 'process', commandTimeoutSeconds: 30 },
    ],
    agents: [
      { name: 'a', host: 'h1', labels: {}, stateDir: '.openclaw', port: 18789, config: { logging: { level: 'debug' } }, env: { API_TOKEN: secret('fake-secret-v2') }, ignore: [] },
      { name: 'b', host: 'h2', labels: {}, stateDir: '.openclaw', port: 18789, version: '2026.9.6', config: {}, env: {}, ignore: [] },
    ],
  };
}

function hosts(): ObservedState {
  return {
    hosts: [
      {
        host: 'h1',
        ok: true,
        openclaw: { version: '2026.9.6' },
        agents: [
          {
            name: 'a',
            host: 'h1',
            fingerprint: 'fp-a-1',
            config: { mode: '600', value: { logging: { level: 'info' } } },
            env: { mode: '600', entries: { API_TOKEN: secret('fake-secret-v1') } },
            health: { state: 'ready' },
            service: 'active',
          },
        ],
        managed: [
          { stateDir: '.openclaw', fleet: 'prod', agent: 'a' },
          { stateDir: '.openclaw-old-bot', fleet: 'prod', agent: 'old-bot' },
        ],
        platform: { arch: 'x86_64', installs: [], missingTools: [] },
      },
      {
        host: 'h2',
        ok: true,
        openclaw: { version: '2026.8.1' },
        agents: [{ name: 'b', host: 'h2', fingerprint: 'fp-b-1', config: { mode: '600', value: {} }, env: { mode: '600', entries: {} }, health: { state: 'ready' } }],
        managed: [{ stateDir: '.openclaw', fleet: 'prod', agent: 'b' }],
        platform: { arch: 'x86_64', installs: [], missingTools: [] },
      },
    ],
  };
}

const ctx = (pruneHosts: Iterable<string>, desired: DesiredState) => ({
  fleetDir: 'fleet',
  clawctlVersion: '0.1.0',
  now: new Date(0),
  configChecks: [],
  prune: { hosts: new Set(pruneHosts), fleetAgents: new Set(desired.agents.map((a) => a.name)) },
});

/** `plan --out`: the whole fleet, pruning every host; saved and read back as JSON. */
function savedPlan(): Plan {
  const desired = fleet();
  const plan = makePlan(
    desired,
    hosts(),
    ctx(
      desired.hosts.map((h) => h.name),
      desired,
    ),
  );
  return JSON.parse(JSON.stringify(plan)) as Plan;
}

/** What `apply FILE` checks (applySavedPlan): observe only what the plan touches, then staleness and the plan made again. */
function check(saved: Plan, desired: DesiredState, observed: ObservedState): Diagnostic[] {
  const touched = new Set(saved.changes.map((c) => c.agent));
  const planned = new Set(saved.changes.map((c) => c.host));
  const narrowed = { ...desired, agents: desired.agents.filter((a) => touched.has(a.name)), hosts: desired.hosts.filter((h) => planned.has(h.name)) };
  const seen = { hosts: observed.hosts.filter((h) => narrowed.hosts.some((n) => n.name === h.host)) };
  const removing = saved.changes.filter((c) => c.actions.some((a) => a.type === 'destroy')).map((c) => c.host);
  const fresh = makePlan(narrowed, seen, ctx(removing, desired));
  return [...staleness(saved, desired.fleet, seen), ...savedPlanDifferences(saved, fresh)];
}

interface Case {
  name: string;
  fleet?: (d: DesiredState) => void;
  hosts?: (o: ObservedState) => void;
  plan?: (p: Plan) => void;
  expected: Diagnostic[];
}

const h = (o: ObservedState, name: string) => o.hosts.find((x) => x.host === name)!;
const agentA = (o: ObservedState) => {
  const host = h(o, 'h1');
  if (!host.ok) throw new Error('h1 is up in the base');
  return host.agents[0]!;
};

const cases: Case[] = [
  { name: 'nothing changed: the plan applies', expected: [] },

  // The fleet directory
  {
    name: 'fleet files edited, added and removed are each named',
    fleet: (d) => {
      d.fleet.contentHash = 'sha256:c2';
      d.fleet.files = { 'fleet/fleet.yaml': 'sha256:f1', 'fleet/agents/a.yaml': 'sha256:a2', 'fleet/agents/c.yaml': 'sha256:c1' };
    },
    expected: [{ message: 'the fleet directory changed since the plan was made: fleet/agents/a.yaml (edited), fleet/agents/c.yaml (added), fleet/agents/b.yaml (removed)', hint: FLEET_HINT }],
  },
  {
    name: 'a fleet hash that differs with the same files still refuses',
    fleet: (d) => void (d.fleet.contentHash = 'sha256:c2'),
    expected: [{ message: 'the fleet directory changed since the plan was made: its files differ', hint: FLEET_HINT }],
  },
  {
    name: 'a secret rotated after review (no fleet file changed: AWS Secrets Manager) is named by the .env digest',
    fleet: (d) => void (d.agents[0]!.env.API_TOKEN = secret('fake-secret-v3')),
    expected: [{ message: 'agent a: what apply would write differs from the reviewed plan: .env (a secret or value changed since the plan was made)', hint: HINT }],
  },

  // The hosts
  {
    name: "agent fingerprint changed (the host's files or version differ)",
    hosts: (o) => void (agentA(o).fingerprint = 'fp-a-2'),
    expected: [{ message: 'agent a on host h1 changed since the plan was made (its files or OpenClaw version differ)' }],
  },
  {
    name: "a host file edited by hand: the fingerprint, and the plan's old values no longer match",
    hosts: (o) => {
      const a = agentA(o);
      a.fingerprint = 'fp-a-2';
      a.config = { mode: '600', value: { logging: { level: 'warn' } } };
    },
    expected: [
      { message: 'agent a on host h1 changed since the plan was made (its files or OpenClaw version differ)' },
      { message: "agent a: the plan file's actions differ from what the fleet and host h1 call for now", hint: HINT },
    ],
  },
  {
    name: 'host gone from the fleet',
    fleet: (d) => {
      d.hosts = d.hosts.filter((x) => x.name !== 'h2');
      d.agents = d.agents.filter((a) => a.host !== 'h2');
    },
    expected: [{ message: 'agent b: host h2 is no longer in the fleet' }, { message: 'agent b: the plan file lists changes that the fleet and host h2 do not call for', hint: HINT }],
  },
  {
    name: 'host unreachable now: its error and hint',
    hosts: (o) => void (o.hosts[1] = { host: 'h2', ok: false, error: 'host h2: connect ETIMEDOUT 10.0.0.2:22', hint: 'is the host up?' }),
    expected: [
      { message: 'agent b: host h2: connect ETIMEDOUT 10.0.0.2:22', hint: 'is the host up?' },
      { message: 'agent b: the plan file lists changes that the fleet and host h2 do not call for', hint: HINT },
    ],
  },
  {
    name: 'destroy target gone (someone removed the state dir)',
    hosts: (o) => {
      const h1 = h(o, 'h1');
      if (h1.ok) h1.managed = h1.managed.filter((m) => m.agent !== 'old-bot');
    },
    expected: [
      { message: 'agent old-bot on host h1: ~/.openclaw-old-bot is no longer there to remove' },
      { message: 'agent old-bot: the plan file lists changes that the fleet and host h1 do not call for', hint: HINT },
    ],
  },

  // The plan file, tampered with
  {
    name: 'an added entry (summary made to match) is named',
    plan: (p) => {
      p.changes.push({ agent: 'b', host: 'h1', stateDir: '.openclaw-b', actions: [{ type: 'destroy', service: 'systemd-user' }] });
      p.summary.destroy++;
    },
    expected: [
      { message: 'agent b on host h1: ~/.openclaw-b is no longer there to remove' },
      { message: 'agent b: the plan file lists changes that the fleet and host h1 do not call for', hint: HINT },
    ],
  },
  {
    name: 'an added entry for an agent the fleet never had',
    plan: (p) => {
      p.changes.push({ agent: 'evil', host: 'h1', stateDir: '.openclaw', actions: [{ type: 'destroy', service: 'systemd-user' }] });
      p.summary.destroy++;
    },
    expected: [
      { message: 'agent evil on host h1: ~/.openclaw is no longer there to remove' },
      { message: 'agent evil: the plan file lists changes that the fleet and host h1 do not call for', hint: HINT },
    ],
  },
  {
    name: 'an edited action (version, digest left as it was)',
    plan: (p) => {
      const v = p.changes.find((c) => c.agent === 'b')!.actions.find((a) => a.type === 'version');
      if (v?.type === 'version') v.to = '2026.9.7';
    },
    expected: [{ message: "agent b: the plan file's actions differ from what the fleet and host h2 call for now", hint: HINT }],
  },
  {
    name: 'a summary that hides the removal',
    plan: (p) => void (p.summary.destroy = 0),
    expected: [{ message: "the plan file's summary does not count its own changes; the file was edited", hint: HINT }],
  },
  {
    name: 'a digest that does not match what apply would write',
    plan: (p) => void (p.fingerprint.writes.a!.config = `hmac-sha256:${'0'.repeat(64)}`),
    expected: [{ message: 'agent a: what apply would write differs from the reviewed plan: openclaw.json', hint: HINT }],
  },
  {
    name: "an agent's digests deleted: every part it writes is named",
    plan: (p) => void delete p.fingerprint.writes.a,
    expected: [{ message: 'agent a: what apply would write differs from the reviewed plan: openclaw.json, .env (a secret or value changed since the plan was made), the restart', hint: HINT }],
  },
  {
    name: 'a removed entry with the summary made to match is not named: apply does less than was reviewed, nothing unreviewed',
    plan: (p) => {
      p.changes = p.changes.filter((c) => c.agent !== 'old-bot');
      p.summary.destroy--;
    },
    expected: [],
  },
];

describe('a saved plan against the fleet and hosts as they are now', () => {
  it('the base plan changes a and b and removes old-bot', () => {
    const plan = savedPlan();
    expect(plan.changes.map((c) => [c.agent, c.actions.map((a) => a.type)])).toEqual([
      ['a', ['config', 'env', 'restart']],
      ['old-bot', ['destroy']],
      ['b', ['version', 'restart']],
    ]);
  });

  it.each(cases)('$name', (c) => {
    const saved = savedPlan();
    const desired = fleet();
    const observed = hosts();
    c.fleet?.(desired);
    c.hosts?.(observed);
    c.plan?.(saved);
    expect(check(saved, desired, observed)).toEqual(c.expected);
  });
});

/**
 * BUG (reported with #11/#18, not fixed here: src/ is not this change's): an agent that left the
 * fleet can leave markers in two state dirs (it moved host, or its profile changed, while it
 * was declared, and the old dir, naming a declared agent, was kept). makePlan then plans two
 * destroys under one agent name, and savedPlanDifferences, which keys the fresh plan by agent
 * name, compares one with the other: the plan, saved and applied untouched, is refused.
 * `it.fails` keeps this reproduction running; when it starts passing, make it a plain `it`.
 */
describe('two markers of one removed agent', () => {
  it('a saved plan that removes both applies untouched', () => {
    const desired = fleet();
    const observed = hosts();
    for (const host of observed.hosts) if (host.ok) host.managed.push({ stateDir: '.openclaw-old', fleet: 'prod', agent: 'old' });
    const plan = makePlan(desired, observed, ctx(['h1', 'h2'], desired));
    const saved = JSON.parse(JSON.stringify(plan)) as Plan;
    expect(saved.changes.filter((c) => c.agent === 'old').map((c) => c.host)).toEqual(['h1', 'h2']);
    expect(check(saved, desired, observed)).toEqual([]);
  });
});
