import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Sensitive } from '../../src/util/sensitive.js';
import type { DesiredAgent, DesiredHost, DesiredState } from '../../src/desired/desired-state.js';
import { pruneHosts, scoped, type Scope } from '../../src/engine/fleet-run.js';
import type { HostObservation, ManagedMarker, ObservedState } from '../../src/observe/observed-state.js';
import { makePlan } from '../../src/plan/make-plan.js';
import type { ServiceKind } from '../../src/validate/manifests.js';

/**
 * What a plan prunes, and what it leaves unplanned. Each fixture is a fleet (hosts, agents),
 * a scope as the CLI takes it (--target, -l), and per host what observing it found: the
 * ownership markers (.clawctl-managed), planted links, or that it could not be reached. The
 * test scopes and observes as `plan` does (fleet-run.ts): only the scope's hosts and agents
 * are observed, and pruning looks at the hosts in scope as a whole. Declared agents are in
 * sync unless a fixture gives them a config, so what is planned is what pruning decided.
 */
const dir = new URL('../fixtures/make-plan/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface HostFacts {
  managed?: ManagedMarker[];
  /** Agent name → the links observing found (as parse-facts names them, `~/…`). */
  links?: Record<string, string[]>;
  /** The host could not be reached. */
  error?: string;
  hint?: string;
}

function desiredOf(f: {
  fleet?: string;
  hosts: { name: string; service?: string; labels?: Record<string, string> }[];
  agents: { name: string; host: string; stateDir: string; labels?: Record<string, string>; config?: DesiredAgent['config']; env?: Record<string, string> }[];
}): DesiredState {
  const hosts = f.hosts.map(
    (h): DesiredHost => ({ name: h.name, labels: h.labels ?? {}, connection: { kind: 'local', home: '/nowhere' }, service: (h.service ?? 'systemd-user') as ServiceKind, commandTimeoutSeconds: 30 }),
  );
  const agents = f.agents.map(
    (a): DesiredAgent => ({
      name: a.name,
      host: a.host,
      labels: a.labels ?? {},
      stateDir: a.stateDir,
      port: 18789,
      config: a.config ?? {},
      env: Object.fromEntries(Object.entries(a.env ?? {}).map(([k, v]) => [k, new Sensitive(v, 'fleet-key')])),
      ignore: [],
    }),
  );
  return { fleet: { name: f.fleet ?? 'prod', contentHash: 'sha256:fleet', files: {}, key: 'fleet-key' }, rollout: { maxUnavailable: 1, healthTimeoutSeconds: 30, waves: [] }, hosts, agents };
}

/** What observing the scope's hosts found: every agent in scope in sync with an empty config, but for its links. */
function observe(desired: DesiredState, facts: Record<string, HostFacts>): ObservedState {
  return {
    hosts: desired.hosts.map((h): HostObservation => {
      const found = facts[h.name] ?? {};
      if (found.error) return { host: h.name, ok: false, error: found.error, ...(found.hint ? { hint: found.hint } : {}) };
      const agents = desired.agents
        .filter((a) => a.host === h.name)
        .map((a) => ({
          name: a.name,
          host: h.name,
          fingerprint: `fp-${a.name}`,
          config: { mode: '600', value: {} },
          env: { mode: '600', entries: {} },
          health: { state: 'ready' as const },
          service: 'active',
          ...(found.links?.[a.name] ? { links: found.links[a.name] } : {}),
        }));
      return { host: h.name, ok: true, openclaw: { version: '2026.9.6' }, agents, managed: found.managed ?? [], platform: { installs: [], missingTools: [] } };
    }),
  };
}

describe('make plan: pruning and what is left unplanned', () => {
  it.each(fixtures)('%s', (file) => {
    const f = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    const full = desiredOf(f);
    const scope: Scope = { targets: f.scope?.targets ?? [], selector: f.scope?.selector ?? {} };
    const desired = scoped(full, scope);
    const observed = observe(desired, f.observed ?? {});
    const prune = { hosts: new Set(pruneHosts(full, scope)), fleetAgents: new Set(full.agents.map((a) => a.name)) };
    const plan = makePlan(desired, observed, { fleetDir: 'fleet', clawctlVersion: '0.1.0', now: new Date(0), prune, configChecks: [] });

    expect(plan.changes).toEqual(f.expected.changes);
    expect(plan.unreachable).toEqual(f.expected.unreachable ?? []);
    expect(plan.summary).toEqual(f.expected.summary);
    expect(plan.removals_not_planned).toEqual(f.expected.removals_not_planned);
    // A saved plan is bound to each agent it planned from; an agent left unplanned binds nothing.
    expect(Object.keys(plan.fingerprint.agents).sort()).toEqual(f.expected.fingerprinted);
    expect(Object.keys(plan.fingerprint.writes).sort()).toEqual(f.expected.writes ?? []);
  });
});
