import { incidentId } from '../alerts/incidents.js';
import { readAlertState } from '../alerts/state-file.js';
import { analyze, type DiagnoseResult } from '../diagnose/analyze.js';
import { parseEdit } from '../propose/manifest-edits.js';
import { parseDiagnoseFacts } from '../diagnose/diagnose-facts.js';
import { diagnoseArgv } from '../diagnose/diagnose-script.js';
import { redactor } from '../diagnose/redact.js';
import { HostUnreachableError } from '../connection/connection.js';
import { ClawctlError } from '../util/errors.js';
import { planFleet, type PlanOptions } from '../engine/fleet-run.js';
import { propose, type ProposeResult } from '../propose/propose-run.js';

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

/** What `diagnose --propose` did about a diagnosis: the pull request it opened, or why it opened none. */
export interface DiagnoseProposal {
  proposed?: ProposeResult;
  /** Why nothing was proposed: healthy, or a cause that is not a manifest change. */
  declined?: string;
}

/**
 * The path without a model: a declarative cause (one whose fix diagnose gives as a manifest
 * patch) becomes a pull request, the incident's own when watch has one open for the agent.
 * Any other cause is said, and nothing is opened.
 */
export async function proposeDiagnosis(opts: PlanOptions, result: DiagnoseResult, incident: string | undefined): Promise<DiagnoseProposal> {
  const cause = result.cause;
  if (!cause) return { declined: `${result.agent} is healthy: there is nothing to propose` };
  if (!cause.patch) return { declined: `the cause is not a manifest change, so nothing was proposed; it needs a person: ${cause.fix}` };
  const id = incident ?? (await openIncidentOf(opts.fleetDir, result.agent));
  const edits = [...cause.patch.set.map((e) => parseEdit(e, false)), ...cause.patch.unset.map((e) => parseEdit(e, true))];
  // The cause's first clause: "claw: openclaw.json sets no `gateway.mode`".
  const title = `${result.agent}: ${cause.summary.split(/[,;(]/)[0]!.trim()}`;
  const body = [`\`clawctl diagnose ${result.agent}\` found the cause: ${cause.summary}.`, '', `Fix: ${cause.fix}`, '', 'This pull request makes that fix as a manifest change.'].join('\n');
  const proposed = await propose({
    fleetDir: opts.fleetDir,
    title,
    body,
    edits,
    remote: 'origin',
    labels: ['clawctl'],
    dryRun: false,
    audit: opts.audit,
    clawctlVersion: opts.clawctlVersion,
    ...(id ? { incident: { id, plan: opts, diagnosis: result, via: 'by `clawctl diagnose --propose`, without a model' } } : {}),
  });
  return { proposed };
}

/** The agent's open incident in watch's alert state, the earliest opened; none when watch keeps no state here. */
async function openIncidentOf(fleetDir: string, agent: string): Promise<string | undefined> {
  const open = Object.values((await readAlertState(fleetDir)).incidents).filter((i) => i.subject === agent && i.status === 'open');
  const first = open.sort((a, b) => (a.openedAt ?? '').localeCompare(b.openedAt ?? ''))[0];
  return first ? incidentId(first) : undefined;
}
