import type { DesiredState } from '../desired/desired-state.js';
import type { AgentStatus } from '../engine/status.js';
import type { ObservedState } from '../observe/observed-state.js';
import type { AgentPlan, Plan, PlanPolicy, UnreachableHost } from '../plan/plan.js';
import { renderAgentPlanText } from '../plan/render-text.js';
import type { Diagnostic } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';
import { agentSecretRefs } from './secret-access.js';

/** One agent as the dashboard shows it: its status, what the fleet wants, what is pending. */
export interface DashboardAgent {
  status: AgentStatus;
  labels: Record<string, string>;
  /** The desired openclaw.json (values in it are references like ${VAR}, never secrets). */
  config: unknown;
  /** Names only: .env values are secrets. */
  envNames: string[];
  /** The secrets its .env refers to, as `location#key` (where they are, never what). */
  secretRefs: string[];
  pending: AgentPlan | null;
  /** The pending changes as `clawctl plan` prints them (hashes for .env values). */
  pendingText: string | null;
}

/**
 * What the dashboard serves, from one observation (the same path as plan and status). Plain
 * data built from JSON forms that already hold no secret value; made anew every cycle.
 */
export interface DashboardSnapshot {
  fleet: string;
  observedAt: string;
  refreshSeconds: number;
  /** Whether the page may offer the restart action (dashboard --actions). */
  actions?: boolean;
  agents: DashboardAgent[];
  hosts: { name: string; labels: Record<string, string>; reachable: boolean; error?: string; hint?: string }[];
  unreachable: UnreachableHost[];
  policy: PlanPolicy;
  summary: Plan['summary'];
  /** When the fleet could not be planned at all (e.g. a broken manifest): what the CLI would print. */
  error?: { message: string; diagnostics: Diagnostic[] };
}

export function makeSnapshot(run: { manifests: Manifests; desired: DesiredState; observed: ObservedState; plan: Plan }, statuses: AgentStatus[], refreshSeconds: number, now: Date): DashboardSnapshot {
  const { desired, observed, plan } = run;
  const agents = desired.agents.map((a): DashboardAgent => {
    const pending = plan.changes.find((c) => c.agent === a.name) ?? null;
    return {
      status: statuses.find((s) => s.agent === a.name)!,
      labels: a.labels,
      config: a.config,
      envNames: Object.keys(a.env).sort(),
      secretRefs: agentSecretRefs(run.manifests, a.name),
      pending,
      pendingText: pending ? renderAgentPlanText(plan, pending) : null,
    };
  });
  const hosts = desired.hosts.map((h) => {
    const seen = observed.hosts.find((o) => o.host === h.name);
    return { name: h.name, labels: h.labels, reachable: seen?.ok === true, ...(seen && !seen.ok ? { error: seen.error, ...(seen.hint ? { hint: seen.hint } : {}) } : {}) };
  });
  return { fleet: desired.fleet.name, observedAt: now.toISOString(), refreshSeconds, agents, hosts, unreachable: plan.unreachable, policy: plan.policy, summary: plan.summary };
}

/** The snapshot when the fleet could not be planned: the error, and nothing stale passed off as current. */
export function errorSnapshot(fleet: string, error: { message: string; diagnostics: Diagnostic[] }, refreshSeconds: number, now: Date): DashboardSnapshot {
  return {
    fleet,
    observedAt: now.toISOString(),
    refreshSeconds,
    agents: [],
    hosts: [],
    unreachable: [],
    policy: { violations: [], optOuts: [], approved: [] },
    summary: { add: 0, change: 0, destroy: 0, files: 0, versions: 0, hosts: 0, adopt: 0, forget: 0 },
    error,
  };
}
