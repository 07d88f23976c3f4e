import { HostUnreachableError } from '../connection/connection.js';
import type { ConnectionPool } from '../connection/pool.js';
import type { DesiredAgent, DesiredHost, DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../engine/hooks.js';
import { mapLimit } from '../util/concurrency.js';
import { groupBy } from '../util/index-by.js';
import { factsArgv } from './facts-script.js';
import type { HostObservation, ObservedState } from './observed-state.js';
import { parseFacts } from './parse-facts.js';

export interface ObserveOptions {
  concurrency: number;
  hooks: EngineHooks;
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
    const result = await observeHost(host, agents, pool, desired.fleet.key);
    opts.hooks.emit({ type: 'host-observed', host: host.name, ok: result.ok, ...(result.ok ? {} : { error: result.error }) });
    return result;
  });
  return { hosts: results };
}

export async function observeHost(host: DesiredHost, agents: readonly DesiredAgent[], pool: ConnectionPool, fleetKey: string): Promise<HostObservation> {
  try {
    const conn = await pool.get(host);
    const res = await conn.exec(factsArgv(host.service, agents));
    if (res.code !== 0) return { host: host.name, ok: false, error: `facts script exited ${res.code}: ${res.stderr.trim().slice(0, 500)}` };
    const facts = parseFacts(res.bytes, host.name, agents, fleetKey);
    return { host: host.name, ok: true, ...facts };
  } catch (err) {
    if (err instanceof HostUnreachableError) return { host: host.name, ok: false, error: err.message, ...(err.hint ? { hint: err.hint } : {}) };
    return { host: host.name, ok: false, error: `host ${host.name}: ${(err as Error).message}` };
  }
}
