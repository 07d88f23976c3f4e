import type { Plan } from '../plan/plan.js';
import type { SourcePos } from '../util/errors.js';
import type { Manifests } from '../validate/manifests.js';
import type { PlanEvent } from './plan-actions.js';
import type { PolicyObject } from './violation.js';

/** A host's own actions that plan rules judge: an EC2 instance created, or terminated. */
export interface HostEvents {
  object: PolicyObject;
  /** The Host's labels; none for a Host that left the fleet (as for an agent that left). */
  labels: Record<string, string>;
  events: PlanEvent[];
}

/**
 * Pure: each host of the plan whose instance is created (`create`) or terminated (`destroy`),
 * in the words plan rules use, so `denyActions: [{action: destroy}]` keeps a Host's machine as
 * it keeps an agent. A Host that left the fleet has no manifest: the rule is pointed at instead.
 */
export function hostPlanEvents(plan: Plan, manifests: Manifests): HostEvents[] {
  const out: HostEvents[] = [];
  for (const h of plan.hosts) {
    const manifest = manifests.hosts.find((m) => m.manifest.metadata.name === h.host);
    const locate = (): SourcePos | undefined => manifest?.source.locate(['spec', 'provider', 'ec2']);
    const events: PlanEvent[] = [];
    for (const a of h.actions) {
      if (a.type !== 'ec2') continue;
      events.push(
        a.action === 'create'
          ? { kind: 'create', items: [], describe: () => `creates EC2 instance (${a.instanceType}, ${a.region})`, locate }
          : { kind: 'destroy', items: [], describe: () => `terminates EC2 instance ${a.instanceId} (its Host left the fleet)`, locate },
      );
    }
    if (events.length > 0) out.push({ object: { kind: 'Host', name: h.host }, labels: manifest?.manifest.metadata.labels ?? {}, events });
  }
  return out;
}
