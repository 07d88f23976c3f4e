import { ConnectionPool } from '../connection/pool.js';
import type { DesiredAgent, DesiredHost, DesiredState } from '../desired/desired-state.js';
import { observeHost } from '../observe/observe.js';
import type { ObservedAgent, HostObservation } from '../observe/observed-state.js';
import { ClawctlError } from '../util/errors.js';
import { loadDesired } from '../engine/fleet-run.js';
import { locatedHosts } from '../observe/locate-ec2.js';

/** One agent of the fleet, its host, and a connection pool the caller closes. */
export interface AgentTarget {
  desired: DesiredState;
  agent: DesiredAgent;
  host: DesiredHost;
  pool: ConnectionPool;
}

/** The agent named on the command line, from the fleet as it is in git now (no secrets read). */
export async function agentTarget(fleetDir: string, name: string): Promise<AgentTarget> {
  const { desired } = await loadDesired(fleetDir, { secrets: false });
  const agent = agentNamed(desired, name);
  // An EC2 host is reached where its instance is now (found by its tags), or settled without it.
  const [host] = await locatedHosts(
    desired,
    desired.hosts.filter((h) => h.name === agent.host),
  );
  return { desired, agent, host: host!, pool: new ConnectionPool() };
}

/** What the agent's host holds now (level-based: read, not remembered); an unreachable host is an error naming it. */
export async function observeAgent(t: AgentTarget): Promise<{ host: HostObservation & { ok: true }; agent: ObservedAgent }> {
  const seen = await observeHost(t.host, [t.agent], t.pool, t.desired);
  if (!seen.ok) throw new ClawctlError(seen.error, [{ message: seen.error, ...(seen.hint ? { hint: seen.hint } : {}) }]);
  return { host: seen, agent: seen.agents.find((a) => a.name === t.agent.name)! };
}

/** The agent a command was given by name; a host's name, or an unknown one, is an error that says which agents there are. */
export function agentNamed(desired: Pick<DesiredState, 'agents' | 'hosts'>, name: string): DesiredAgent {
  const agent = desired.agents.find((a) => a.name === name);
  if (agent) return agent;
  if (desired.hosts.some((h) => h.name === name)) {
    const on = desired.agents.filter((a) => a.host === name).map((a) => a.name);
    throw new ClawctlError(`${name} is a host, not an agent`, [{ message: `${name} is a host; this command takes an agent`, hint: `agents on ${name}: ${on.join(', ') || '(none)'}` }]);
  }
  throw new ClawctlError(`no agent named ${name}`, [{ message: `unknown agent ${name}`, hint: `agents: ${desired.agents.map((a) => a.name).join(', ') || '(none)'}` }]);
}
