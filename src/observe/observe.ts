import { HostUnreachableError } from '../connection/connection.js';
import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredAgent, DesiredHost, DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../events/hooks.js';
import { mapLimit } from '../util/concurrency.js';
import { groupBy } from '../util/index-by.js';
import { factsArgv } from './facts-script.js';
import { gatedFactsArgv, observerMarker, observesThroughGate } from './observer-gate.js';
import type { HostObservation, ObservedState } from './observed-state.js';
import { parseFacts } from './parse-facts.js';
import { settledEc2Observation } from './observe-ec2.js';

export interface ObserveOptions {
  concurrency: number;
  hooks: EngineHooks;
  /** Also read each running agent's spend (OpenClaw's usage cost): for the views and for budgets. */
  cost?: boolean;
}

/**
 * Level-based: read what is on every host now, one connection and one exec per host.
 * A host that cannot be reached is recorded as such; the others are still observed.
 */
export async function observe(desired: DesiredState, hosts: readonly DesiredHost[], pool: ConnectionPool, opts: ObserveOptions): Promise<ObservedState> {
  const agentsOf = groupBy(desired.agents, (a) => a.host);
  const results = await mapLimit(hosts, opts.concurrency, async (host) => {
    opts.hooks.emit({ type: 'host-observe-start', host: host.name });
    const agents = agentsOf.get(host.name) ?? [];
    const result = await observeHost(host, agents, pool, desired, { cost: opts.cost === true });
    opts.hooks.emit({ type: 'host-observed', host: host.name, ok: result.ok, ...(result.ok ? {} : { error: result.error }) });
    return result;
  });
  return { hosts: results };
}

export async function observeHost(
  host: DesiredHost,
  agents: readonly DesiredAgent[],
  pool: ConnectionPool,
  desired: Pick<DesiredState, 'fleet' | 'observer'>,
  opts: { cost: boolean } = { cost: false },
): Promise<HostObservation> {
  // An EC2 Host whose instance does not exist yet, or cannot be reached now, is settled without SSH.
  const settled = settledEc2Observation(host, agents);
  if (settled) return settled;
  try {
    const conn = await pool.get(host);
    // With only the observation key, the host's gate runs its own facts script: no script is sent.
    const gated = observesThroughGate() && host.connection.kind === 'ssh';
    const marker = desired.observer?.marker ?? observerMarker(desired.fleet.name);
    // The gate runs facts.sh alone: no OpenClaw CLI, so no usage cost, through it.
    const probes = agents.map((a) => ({ ...a, cost: opts.cost && !gated }));
    const res = await conn.exec(gated ? gatedFactsArgv(marker, host.service, agents) : factsArgv(host.service, desired.observer ? marker : '-', probes));
    if (res.code !== 0) {
      const error = `facts script exited ${res.code}: ${res.stderr.trim().slice(0, 500)}`;
      if (!gated || res.code === 126) return { host: host.name, ok: false, error };
      return {
        host: host.name,
        ok: false,
        error,
        hint: `CLAWCTL_OBSERVER=1 observes through the observation gate, which host ${host.name} does not have: set the Fleet's spec.observer and apply with the full key`,
      };
    }
    const facts = parseFacts(res.bytes, host.name, probes, desired.fleet.key, host.service);
    if (gated && opts.cost) for (const a of facts.agents) a.cost = { state: 'unknown', reason: `host ${host.name}: usage cost is not read through the observation gate` };
    return { host: host.name, ok: true, ...facts };
  } catch (err) {
    if (err instanceof HostUnreachableError) return { host: host.name, ok: false, error: err.message, ...(err.hint ? { hint: err.hint } : {}) };
    return { host: host.name, ok: false, error: `host ${host.name}: ${(err as Error).message}` };
  }
}
