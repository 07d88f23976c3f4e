import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/desired/desired-state.js';
import { agentStatuses } from '../../src/engine/status.js';
import type { ObservedAgent, ObservedState } from '../../src/observe/observed-state.js';
import type { Plan } from '../../src/plan/plan.js';

/** src/engine/status.ts: what `status` says of an agent from what was observed of it. */
describe('agent status', () => {
  // Only the parts agentStatuses reads: the agents, the hosts' observations and the plan's changes.
  const desired = { agents: [{ name: 'a', host: 'h', labels: {}, stateDir: '.openclaw', port: 18789, config: {}, env: {}, ignore: [] }] } as unknown as DesiredState;
  const plan = { changes: [] } as unknown as Plan;
  const statusOf = (agent: Partial<ObservedAgent>) => {
    const seen: ObservedAgent = { name: 'a', host: 'h', fingerprint: 'x', config: null, env: null, health: { state: 'down' }, ...agent };
    const observed: ObservedState = { hosts: [{ host: 'h', ok: true, openclaw: {}, agents: [seen], managed: [], platform: { installs: [], missingTools: [] } }] };
    const [status] = agentStatuses(desired, observed, plan, new Date('2026-12-02T00:00:00Z'));
    return [status!.state, status!.reason];
  };

  it("says that a gateway down after clawctl's cut-off restart is started by the next apply", () => {
    expect(statusOf({})).toEqual(['offline', 'no gateway listening on its port']);
    expect(statusOf({ restartCutOff: true })).toEqual(['offline', "no gateway listening on its port: clawctl's restart of it was cut off, and the next apply starts it"]);
    expect(statusOf({ restartCutOff: true, health: { state: 'ready' } })).toEqual(['online', 'gateway ready']);
  });
});
