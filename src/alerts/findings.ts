import type { ApplyResult } from '../apply/apply-result.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { AgentStatus } from '../engine/status.js';
import type { AgentPlan, Plan } from '../plan/plan.js';
import type { PolicyObject, Violation } from '../policy/violation.js';
import { plural } from '../cli/plural.js';
import type { Manifests } from '../validate/manifests.js';
import { describeStanding } from '../policy/budget.js';
import type { Finding } from './incidents.js';

/** What one watch cycle saw and did, as far as it got: alerts are derived from it alone. */
export interface CycleFacts {
  /** The agents and hosts in the cycle's scope. */
  desired: DesiredState;
  plan: Plan;
  statuses: AgentStatus[];
  /** Present when the cycle applied. */
  apply?: ApplyResult;
}

/** Pure: a cycle's facts → a finding per (event, subject) it looked at. */
export function cycleFindings(facts: CycleFacts): Finding[] {
  return [...healthFindings(facts), ...driftFindings(facts), ...applyFindings(facts), ...policyFindings(facts), ...budgetFindings(facts)];
}

/** Every subject of the fleet: its agents, `host/NAME`, `fleet/NAME`. */
export function fleetSubjects(manifests: Manifests): string[] {
  return [
    ...manifests.agents.map((a) => a.manifest.metadata.name),
    ...manifests.hosts.map((h) => subjectOf({ kind: 'Host', name: h.manifest.metadata.name })),
    subjectOf({ kind: 'Fleet', name: manifests.fleet.manifest.metadata.name }),
  ];
}

const subjectOf = (o: PolicyObject): string => (o.kind === 'Agent' ? o.name : `${o.kind.toLowerCase()}/${o.name}`);

/**
 * Offline, or on a host that could not be reached: agent.down. Degraded: agent.degraded.
 * Health unknown on a reachable host (no curl there) says nothing either way.
 */
function healthFindings({ desired, plan, statuses }: CycleFacts): Finding[] {
  const unreachable = new Map(plan.unreachable.map((u) => [u.host, u.error]));
  const labels = new Map(desired.agents.map((a) => [a.name, a.labels]));
  return statuses.flatMap((s): Finding[] => {
    const base = { subject: s.agent, host: s.host, labels: labels.get(s.agent) ?? {} };
    const hostError = unreachable.get(s.host);
    if (hostError !== undefined) return [{ ...base, event: 'agent.down', firing: true, reason: `host ${s.host} unreachable: ${hostError}` }];
    if (s.state === 'unknown') return [];
    const now = `${s.state}: ${s.reason}`;
    return [
      { ...base, event: 'agent.down', firing: s.state === 'offline', reason: now },
      { ...base, event: 'agent.degraded', firing: s.state === 'degraded', reason: now },
    ];
  });
}

/**
 * Changes pending once the cycle is over: those it did not apply. An agent whose apply failed
 * this cycle is left to apply.failed, which says more.
 */
function driftFindings({ desired, plan, apply }: CycleFacts): Finding[] {
  const unreachable = new Set(plan.unreachable.map((u) => u.host));
  const changes = new Map(plan.changes.map((c) => [c.agent, c]));
  const applied = new Map((apply?.agents ?? []).map((a) => [a.agent, a.ok]));
  return desired.agents.flatMap((a): Finding[] => {
    if (unreachable.has(a.host) || applied.get(a.name) === false) return [];
    const pending = applied.get(a.name) ? undefined : changes.get(a.name);
    const what = pending ? changed(pending) : [];
    const base = { event: 'drift.found' as const, subject: a.name, host: a.host, labels: a.labels };
    return [
      what.length > 0
        ? { ...base, firing: true, reason: `${plural(what.length, 'change')} pending: ${what.join(', ')}` }
        : { ...base, firing: false, reason: applied.get(a.name) ? 'applied' : 'in sync' },
    ];
  });
}

/** What differs, as plan names it; a restart is how a change takes effect, not another change. */
function changed(p: AgentPlan): string[] {
  return p.actions.flatMap((x) =>
    x.type === 'config' ? ['openclaw.json'] : x.type === 'env' ? ['.env'] : x.type === 'version' ? [`OpenClaw ${x.from ?? 'none'} → ${x.to}`] : x.type === 'cron' ? ['cron jobs'] : [],
  );
}

/** A failed (or rolled back) apply opens; a later successful apply, or the agent found in sync, resolves it. */
function applyFindings({ desired, plan, apply }: CycleFacts): Finding[] {
  const unreachable = new Set(plan.unreachable.map((u) => u.host));
  const pending = new Set(plan.changes.map((c) => c.agent));
  const results = new Map((apply?.agents ?? []).map((a) => [a.agent, a]));
  return desired.agents.flatMap((a): Finding[] => {
    const base = { event: 'apply.failed' as const, subject: a.name, host: a.host, labels: a.labels };
    const r = results.get(a.name);
    if (r) return [{ ...base, firing: !r.ok, reason: r.ok ? 'applied' : `${r.error ?? 'failed'}${r.rolledBack ? ' (rolled back)' : ''}` }];
    if (!unreachable.has(a.host) && !pending.has(a.name)) return [{ ...base, firing: false, reason: 'in sync' }];
    return [];
  });
}

/**
 * An agent over any of its budgets (today's or this month's spend, as OpenClaw reports it):
 * budget.crossed, resolved when it is under every one again (a new day or month, a raised
 * limit). A cost that could not be read says nothing either way.
 */
function budgetFindings({ desired, statuses }: CycleFacts): Finding[] {
  const labels = new Map(desired.agents.map((a) => [a.name, a.labels]));
  return statuses.flatMap((s): Finding[] => {
    const known = (s.budgets ?? []).filter((b) => b.spentUsd !== null);
    if (known.length === 0) return [];
    const over = known.filter((b) => b.over);
    const reason = (over.length > 0 ? over : known).map((b) => `${b.policy}/${b.rule}: ${describeStanding(b)}`).join('; ');
    return [{ event: 'budget.crossed', subject: s.agent, host: s.host, labels: labels.get(s.agent) ?? {}, firing: over.length > 0, reason }];
  });
}

/** The fleet as committed against its policies: one incident per agent, host or the fleet that breaks any. */
function policyFindings({ desired, plan }: CycleFacts): Finding[] {
  const bySubject = new Map<string, Violation[]>();
  for (const v of plan.policy.violations) bySubject.set(subjectOf(v.object), [...(bySubject.get(subjectOf(v.object)) ?? []), v]);
  const subjects = [
    ...desired.agents.map((a) => ({ subject: a.name, host: a.host, labels: a.labels })),
    ...desired.hosts.map((h) => ({ subject: subjectOf({ kind: 'Host', name: h.name }), labels: h.labels })),
    { subject: subjectOf({ kind: 'Fleet', name: desired.fleet.name }), labels: {} },
  ];
  return subjects.map((s): Finding => {
    const found = bySubject.get(s.subject) ?? [];
    const reason = found.map((v) => `${v.policy}/${v.rule} (${v.file}:${v.line}): ${v.message}`).join('; ');
    return { ...s, event: 'policy.violation', firing: found.length > 0, reason: reason || 'no violation' };
  });
}
