import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, runSoak } from '../../bench/soak/soak.js';
import { OPENCLAW_BIN, openclawInstalled } from '../harness/openclaw.js';

/**
 * CI's smoke of the chaos soak (issue #19; `npm run soak` is the 20-minute run behind
 * bench/SOAK.md): one minute of faults against 20 real sshd hosts and 2 real OpenClaw
 * gateways under `watch --apply --prune`, and every invariant must hold. Nothing is timed
 * here but the soak's own length: convergence is checked in cycles, not seconds.
 */
describe('the chaos soak, one minute', () => {
  it('keeps every invariant through a minute of faults', { timeout: 20 * 60_000 }, async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    const log: string[] = [];
    const r = await runSoak({
      minutes: 1,
      hosts: 20,
      gatewayHosts: 2,
      intervalSeconds: 10,
      holdSeconds: [3, 8],
      gapSeconds: [1, 4],
      log: (m) => log.push(m),
    });
    const report = `${log.join('\n')}\n${JSON.stringify(r.violations, null, 2)}`;
    expect(r.violations, report).toEqual([]);
    expect(r.faults.length, report).toBeGreaterThan(0);
    for (const f of r.faults) expect(FAULT_KINDS).toContain(f.kind);
    expect(r.cycles.filter((c) => c.outcome === 'in-sync').length, report).toBeGreaterThan(0);
    expect(r.finalPlanExit).toBe(0);
    expect(r.auditVerifyExit).toBe(0);
    expect(r.unauditedChanges).toBe(0);
  });
});
