import { incidentId } from '../alerts/incidents.js';
import { readAlertState } from '../alerts/state-file.js';
import type { DiagnoseResult } from '../diagnose/analyze.js';
import type { PlanOptions } from '../engine/fleet-run.js';
import { parseEdit } from './manifest-edits.js';
import { propose, type ProposeResult } from './propose-run.js';

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
