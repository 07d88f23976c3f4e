import type { DesiredAgent } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { serviceUnitName } from '../openclaw/paths.js';
import type { AgentPlan } from '../plan/plan.js';
import type { ServiceKind } from '../validate/manifests.js';
import type { DiagnoseFacts } from './diagnose-facts.js';
import { matchKnownCause, type ManifestPatch } from './known-causes.js';
import { isProblem, parseLogLine } from './log-lines.js';

export type StepName = 'host' | 'openclaw' | 'files' | 'config' | 'service' | 'gateway' | 'health' | 'logs';

export interface DiagnoseStep {
  step: StepName;
  status: 'ok' | 'warn' | 'fail' | 'skipped';
  detail: string;
}

export interface DiagnoseResult {
  agent: string;
  host: string;
  healthy: boolean;
  /** host → service → gateway → health → logs → config, in the order they depend on each other. */
  steps: DiagnoseStep[];
  /** The first thing that explains the failure, and what to do; absent when healthy. */
  cause?: DiagnoseCause;
}

export interface DiagnoseCause {
  /** The known cause it matched (known-causes.ts), when one explains it. */
  id?: string;
  summary: string;
  fix: string;
  evidence: string[];
  /** The fix as a manifest change, when the cause is declarative: what `diagnose --propose` proposes. */
  patch?: ManifestPatch;
}

export interface DiagnoseInput {
  agent: DesiredAgent;
  service: ServiceKind;
  /** Undefined when the host could not be reached (then `hostError` says why). */
  observed?: ObservedAgent;
  hostError?: { error: string; hint?: string };
  installedVersion?: string;
  /** What apply would change on this agent now. */
  pending?: AgentPlan;
  facts?: DiagnoseFacts;
  /** Applied to every host text shown: no secret leaves in a log line. */
  redact: (text: string) => string;
}

const MAX_EVIDENCE = 8;

/** Pure: facts in, a walk through the steps and the first cause out. */
export function analyze(input: DiagnoseInput): DiagnoseResult {
  const { agent, facts, redact } = input;
  const steps: DiagnoseStep[] = [];
  // `own`: the failure is its own cause, which no log line explains better.
  const failures: { step: StepName; summary: string; fix: string; own?: boolean }[] = [];
  const add = (step: StepName, status: DiagnoseStep['status'], detail: string, fix?: string, own?: boolean) => {
    steps.push({ step, status, detail });
    if (status === 'fail' && fix) failures.push({ step, summary: detail, fix, ...(own ? { own } : {}) });
  };
  const base = { agent: agent.name, host: agent.host };

  if (input.hostError || !facts) {
    add('host', 'fail', input.hostError?.error ?? `host ${agent.host} gave no diagnosis`, input.hostError?.hint ?? 'check that the host is up and reachable over SSH');
    const { step: _, ...first } = failures[0]!;
    return { ...base, healthy: false, steps, cause: { ...first, evidence: [] } };
  }
  add('host', 'ok', `reached ${agent.host} as ${facts.user}`);

  if (!facts.openclaw)
    add('openclaw', 'fail', `OpenClaw is not installed for ${facts.user} on ${agent.host}`, 'pin `spec.openclaw.version` in the Fleet and apply (it installs it with npm), or install it by hand');
  else if (agent.version && input.installedVersion && input.installedVersion !== agent.version)
    add('openclaw', 'warn', `OpenClaw ${input.installedVersion} is installed; the fleet pins ${agent.version}`);
  else add('openclaw', 'ok', `${facts.openclaw}${input.installedVersion ? ` (${input.installedVersion})` : ''}${facts.node ? `, Node ${facts.node}` : ''}`);

  const fileProblems: string[] = [];
  if (!facts.stateDir) fileProblems.push(`~/${agent.stateDir} does not exist`);
  if (!facts.config) fileProblems.push(`~/${agent.stateDir}/openclaw.json is missing`);
  if (facts.env && facts.env.mode !== '600') fileProblems.push(`.env has mode ${facts.env.mode}, not 600`);
  for (const [name, f] of [
    ['openclaw.json', facts.config],
    ['.env', facts.env],
  ] as const) {
    if (f && f.owner !== facts.user) fileProblems.push(`${name} is owned by ${f.owner}, not ${facts.user}`);
  }
  const pending = input.pending?.actions.filter((a) => a.type !== 'restart').length ?? 0;
  if (fileProblems.length > 0) add('files', 'fail', fileProblems.join('; '), 'run `clawctl apply`: it writes both files with the right owner and mode');
  else if (pending > 0) add('files', 'warn', `${pending} change(s) not applied yet (drift or a new commit): \`clawctl plan\` shows them`);
  else add('files', 'ok', 'openclaw.json and .env match the fleet');

  if (facts.validate && !facts.validate.valid) {
    add(
      'config',
      'fail',
      `the host's OpenClaw rejects openclaw.json: ${redact(facts.validate.issues.join('; '))}`,
      'fix the manifest (`clawctl validate` with the pinned OpenClaw names the line) and apply',
    );
  } else if (facts.validate) add('config', 'ok', "openclaw.json passes the host's `openclaw config validate`");
  else add('config', 'skipped', 'not checked: no openclaw.json or no openclaw on the host');

  // A live process holding the lock but not listening: a gateway stuck stopping (or still
  // starting). No new one can start while it holds the lock.
  const holder = facts.lockHolder;
  const stuck =
    holder && !facts.listening
      ? `gateway process ${holder.pid} is alive and holds the gateway lock, but nothing listens on port ${agent.port}: it is stuck stopping (or still starting), and no new gateway can start while it holds the lock`
      : undefined;
  const unit = serviceUnitName(agent.profile);
  if (input.service === 'systemd' || input.service === 'systemd-user') {
    const u = facts.unit ?? {};
    const ctl = input.service === 'systemd-user' ? 'systemctl --user' : 'sudo systemctl';
    if (u.LoadState === 'not-found')
      add('service', 'fail', `the unit ${unit} is not installed`, `install it as the agent's user: \`openclaw gateway install${agent.profile ? ` --profile ${agent.profile}` : ''}\``);
    else if (u.ActiveState === 'failed')
      add(
        'service',
        'fail',
        `${unit} failed (${u.Result ?? 'unknown'}, exit ${u.ExecMainStatus ?? '?'}, ${u.NRestarts ?? 0} restart(s))`,
        `read the cause below, fix it, then \`${ctl} restart ${unit}\``,
      );
    else if (u.ActiveState && u.ActiveState !== 'active')
      add(
        'service',
        'fail',
        `${unit} is ${u.ActiveState}${u.SubState ? ` (${u.SubState})` : ''}`,
        `\`${ctl} start ${unit}\`; enable lingering (\`loginctl enable-linger\`) for a user unit on a headless host`,
      );
    else add('service', u.ActiveState ? 'ok' : 'warn', u.ActiveState ? `${unit} is active` : `${unit}: no systemd answer`);
  } else if (input.service === 'process') {
    // A gateway process is known by its port, or by OpenClaw's gateway lock: pgrep -f would
    // also match this very script.
    if (stuck)
      add(
        'service',
        'fail',
        stuck,
        `\`clawctl agents restart ${agent.name}\` stops it (SIGTERM, then SIGKILL) and starts a new gateway; or \`kill ${holder!.pid}\`, then \`kill -9 ${holder!.pid}\` if it does not exit`,
        true,
      );
    else if (!facts.listening)
      add(
        'service',
        'fail',
        'no gateway process runs for this user',
        `start it: \`openclaw${agent.profile ? ` --profile ${agent.profile}` : ''} gateway run\` (or manage it with systemd: service: systemd-user)`,
      );
    else add('service', 'ok', `a process listens on port ${agent.port}${holder ? ` (pid ${holder.pid}, which holds the gateway lock)` : ''}`);
  } else add('service', 'skipped', 'service: none — clawctl does not manage how the gateway runs');

  const http = facts.http;
  if (stuck) add('gateway', 'fail', stuck, `\`clawctl agents restart ${agent.name}\` forces the stop and starts a new gateway`, true);
  else if (!facts.listening) add('gateway', 'fail', `nothing listens on port ${agent.port}`, 'start the gateway (see the service step); if it exits at once, the logs below say why');
  else if ((http.healthz?.status ?? 0) === 0 && (http.readyz?.status ?? 0) === 0)
    add('gateway', 'fail', `port ${agent.port} is open but does not answer OpenClaw's probes: another program holds it`, 'stop that program, or give this agent another `gateway.port` and apply');
  else add('gateway', 'ok', `listening on port ${agent.port}`);

  if (facts.listening) {
    const ready = http.readyz;
    if (ready?.status === 200) add('health', 'ok', '/readyz: ready');
    else if (ready && ready.status > 0)
      add(
        'health',
        'fail',
        `/readyz answers ${ready.status}: ${readinessText(redact(ready.body))}`,
        'a gateway still starting becomes ready within seconds; if not, the logs below say which check fails',
      );
    else add('health', 'warn', '/readyz did not answer');
  } else add('health', 'skipped', 'no gateway to ask');

  // Logs outlive restarts: errors a healthy gateway wrote earlier are a warning, not a cause.
  // With a failure, the most recent matching line names it.
  const lines = [...facts.journal, ...(facts.log?.lines ?? [])].map(parseLogLine);
  const problems = lines
    .filter(isProblem)
    .map((l) => redact([l.time, l.level, l.text].filter(Boolean).join(' ')))
    .reverse();
  const failing = failures.length > 0;
  const known = failing ? matchKnownCause([...problems, ...steps.filter((s) => s.status === 'fail').map((s) => s.detail)]) : undefined;
  const where = facts.log?.path ?? 'the journal';
  if (problems.length === 0) add('logs', facts.log || facts.journal.length > 0 ? 'ok' : 'skipped', facts.log ? `no errors in the last lines of ${facts.log.path}` : 'no log found');
  else add('logs', failing ? 'fail' : 'warn', `${problems.length} error/warning line(s) in the last lines of ${where}${failing ? '' : `, the latest: ${problems[0]!.slice(0, 200)}`}`);

  if (!failing) return { ...base, healthy: true, steps };
  const evidence = [...(known ? [known.line] : []), ...problems.filter((p) => p !== known?.line)].slice(0, MAX_EVIDENCE);
  // A missing install, file or config is itself the cause; a gateway that is down or unready
  // is explained by what it logged.
  const { step: first, own, ...failure } = failures[0]!;
  const explained = known && !own && ['service', 'gateway', 'health', 'logs'].includes(first);
  const patch = explained ? known.cause.patch?.(agent) : undefined;
  const cause = explained ? { id: known.cause.id, summary: known.cause.cause, fix: known.cause.fix, ...(patch ? { patch } : {}) } : failure;
  return { ...base, healthy: false, steps, cause: { ...cause, evidence } };
}

/**
 * What OpenClaw's /readyz body says, in words: the checks it names as failing (channels,
 * agent databases), or its status; a body that is not OpenClaw's JSON is shown short.
 */
export function readinessText(body: string): string {
  try {
    const json = JSON.parse(body) as { failing?: unknown; status?: unknown };
    if (Array.isArray(json.failing) && json.failing.length > 0) return `not ready; failing: ${json.failing.map(String).join(', ')}`;
    if (typeof json.status === 'string') return `not ready (${json.status})`;
  } catch {
    // not JSON: something else answered
  }
  const line = body.trim().split('\n')[0] ?? '';
  return line === '' ? 'not ready' : line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
