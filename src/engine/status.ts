import type { DesiredState } from '../desired/desired-state.js';
import { indexObserved, type ObservedAgent, type ObservedState } from '../observe/observed-state.js';
import { indexBy } from '../util/index-by.js';
import type { Plan } from '../plan/plan.js';
import type { AgentCost } from '../openclaw/usage-cost.js';
import type { BudgetStanding } from '../policy/budget.js';

export type AgentState = 'online' | 'degraded' | 'offline' | 'unknown';

/** One agent as `status` and `agents list` show it; the --json form of both. */
export interface AgentStatus {
  agent: string;
  host: string;
  role?: string;
  profile?: string;
  stateDir: string;
  port: number;
  state: AgentState;
  /** Why the state is what it is, in a few words. */
  reason: string;
  version: { pinned?: string; installed?: string; running?: string };
  service?: string;
  /** Number of planned changes (files, version; restarts not counted): 0 means no drift. */
  drift: number;
  /** How long its gateway's /readyz took to answer, in milliseconds. */
  responseMs?: number;
  /** Its spend, from OpenClaw's own usage cost (when the observation read it). */
  cost?: AgentCost;
  /** The budgets (Policy `budget` rules) that apply to it, and where it stands. */
  budgets?: BudgetStanding[];
  observedAt: string;
}

/** Pure: desired × observed × plan (× budgets) → one status per agent. */
export function agentStatuses(desired: DesiredState, observed: ObservedState, plan: Plan, observedAt: Date, budgets: ReadonlyMap<string, BudgetStanding[]> = new Map()): AgentStatus[] {
  const seen = indexObserved(observed);
  const changes = indexBy(plan.changes, (c) => c.agent);
  return desired.agents.map((agent) => {
    const host = seen.hosts.get(agent.host);
    const obs = seen.agents.get(agent.name);
    // What differs (files, version); a restart is how a change takes effect, not another change.
    const drift = changes.get(agent.name)?.actions.filter((a) => a.type !== 'restart').length ?? 0;
    const [state, reason] = !host?.ok ? (['unknown', host ? host.error : 'not observed'] as const) : classify(obs!);
    return {
      agent: agent.name,
      host: agent.host,
      ...(agent.role ? { role: agent.role } : {}),
      ...(agent.profile ? { profile: agent.profile } : {}),
      stateDir: agent.stateDir,
      port: agent.port,
      state,
      reason,
      version: {
        ...(agent.version ? { pinned: agent.version } : {}),
        ...(host?.ok && host.openclaw.version ? { installed: host.openclaw.version } : {}),
        ...(obs?.health.version ? { running: obs.health.version } : {}),
      },
      ...(obs?.service ? { service: obs.service } : {}),
      drift,
      ...(obs?.health.responseMs !== undefined ? { responseMs: obs.health.responseMs } : {}),
      ...(obs?.cost ? { cost: obs.cost } : {}),
      ...(budgets.has(agent.name) ? { budgets: budgets.get(agent.name)! } : {}),
      observedAt: observedAt.toISOString(),
    };
  });
}

function classify({ health, service, restartCutOff }: ObservedAgent): [AgentState, string] {
  if (health.state === 'ready') return ['online', 'gateway ready'];
  if (health.state === 'not-ready') return ['degraded', 'gateway answers but is not ready'];
  if (service === 'failed') return ['offline', 'service failed'];
  if (service === 'activating') return ['degraded', 'service starting'];
  if (restartCutOff) return ['offline', "no gateway listening on its port: clawctl's restart of it was cut off, and the next apply starts it"];
  return ['offline', 'no gateway listening on its port'];
}
