import { analyze, type DiagnoseResult } from '../diagnose/analyze.js';
import { parseDiagnoseFacts } from '../diagnose/diagnose-facts.js';
import { diagnoseArgv } from '../diagnose/diagnose-script.js';
import { redactor } from '../diagnose/redact.js';
import { HostUnreachableError } from '../connection/connection.js';
import { ClawctlError } from '../util/errors.js';
import { planFleet, type PlanOptions } from '../engine/fleet-run.js';

/** Log lines diagnose reads from the journal and the gateway log unless told otherwise. */
export const DEFAULT_LOG_LINES = 80;

/**
 * Observe and plan the one agent (level-based: what is there now), then one more read-only
 * exec for what explains its health: service state, port, probes, logs, the host's own
 * config check. The analysis is pure; every host text in it is redacted.
 */
export async function diagnoseAgent(opts: PlanOptions, name: string, logLines: number): Promise<DiagnoseResult> {
  const run = await planFleet({ ...opts, scope: { targets: [name], selector: {} }, openclawCheck: { enforce: false, require: false } });
  try {
    const agent = run.desired.agents.find((a) => a.name === name);
    if (!agent)
      throw new ClawctlError(`${name} is a host; diagnose takes an agent`, [
        { message: `diagnose ${name}: not an agent`, hint: `agents on ${name}: ${run.desired.agents.map((a) => a.name).join(', ') || '(none)'}` },
      ]);
    const host = run.desired.hosts.find((h) => h.name === agent.host)!;
    const seen = run.observed.hosts.find((h) => h.host === host.name);
    const observed = seen?.ok ? seen.agents.find((a) => a.name === name) : undefined;
    const redact = redactor([...Object.values(agent.env), ...Object.values(observed?.env?.entries ?? {})]);
    const pending = run.plan.changes.find((c) => c.agent === name);
    const common = { agent, service: host.service, redact, ...(pending ? { pending } : {}) };
    if (!seen?.ok) return analyze({ ...common, hostError: { error: seen?.error ?? `host ${host.name} was not observed`, ...(seen?.hint ? { hint: seen.hint } : {}) } });
    try {
      const res = await (await run.pool.get(host)).exec(
        diagnoseArgv({ service: host.service, stateDir: agent.stateDir, port: agent.port, ...(agent.profile ? { profile: agent.profile } : {}) }, logLines),
      );
      const facts = parseDiagnoseFacts(res.stdout);
      return analyze({ ...common, facts, ...(observed ? { observed } : {}), ...(seen.openclaw.version ? { installedVersion: seen.openclaw.version } : {}) });
    } catch (err) {
      if (err instanceof HostUnreachableError) return analyze({ ...common, hostError: { error: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
      throw err;
    }
  } finally {
    await run.pool.closeAll();
  }
}
