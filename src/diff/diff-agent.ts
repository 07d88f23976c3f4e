import jsonpatch from 'fast-json-patch';
import type { DesiredAgent, DesiredHost } from '../desired/desired-state.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import type { ConfigAction, CronAction, EnvAction, EnvEntryChange, PlannedAction, ServiceAction, VersionAction } from '../plan/plan.js';
import { agentUnit, gatewayUnit, unitPath, type UnitAccount } from '../openclaw/service-unit.js';
import { diffCron } from './diff-cron.js';
import { effectiveFiles } from './effective.js';

/** The restart reason of a new agent's first start: apply health-gates it like a restart. */
export const START_NEW = 'start the new gateway';
/** The restart reason for a gateway that a restart of clawctl's left down (its clawctl was killed mid-restart). */
export const RESUME_RESTART = "clawctl's last restart of it was cut off, which can leave it stopped: started again";
/** Restarts that start a gateway that is down: apply health-gates them though it was not ready before. */
export const STARTS_GATEWAY: ReadonlySet<string> = new Set([START_NEW, RESUME_RESTART]);

/** Both managed files hold secrets or credentials: owner read/write only. */
export const MANAGED_MODE = '600';

/**
 * Pure: one agent's desired state against what its host has → the actions that close the
 * gap. A .env or version change needs a restart; openclaw.json is hot-reloaded by the gateway.
 */
export function diffAgent(desired: DesiredAgent, host: DesiredHost, observed: ObservedAgent, installedVersion: string | undefined, account?: UnitAccount): PlannedAction[] {
  const files = effectiveFiles(desired, observed);
  const actions: PlannedAction[] = [];
  const config = diffConfig(files.config, observed);
  if (config) actions.push(config);
  const env = diffEnv(files.env, observed);
  if (env) actions.push(env);
  // A new .env write replaces the old backup and drops it after the health gate anyway.
  else if (observed.prevEnv) actions.push({ type: 'drop-old-env', action: 'delete' });
  const service = diffService(desired, host, observed, account);
  if (service) actions.push(service);
  const version = diffVersion(desired.version, installedVersion);
  if (version) actions.push(version);
  const cron = diffCron(desired.cron ?? [], observed.cron);
  if (host.service === 'none') return withCron(actions, cron, desired.name, gatewayRuns(observed));
  // A gateway still on another version than the one installed (an upgrade that did not restart it) is drift.
  const running = observed.health.version;
  const stale = !version && running && installedVersion && running !== installedVersion ? `it runs OpenClaw ${running}, not the installed ${installedVersion}` : undefined;
  const reasons = [env && '.env changed', service && 'its unit changed', version && 'OpenClaw version changed', stale].filter(Boolean);
  if (reasons.length > 0 && gatewayRuns(observed)) actions.push({ type: 'restart', service: host.service, reason: reasons.join(', ') });
  // A new agent's gateway is started, and health-gated like any restart, where there is an
  // OpenClaw to start it with (on the host, or the pinned one this apply installs).
  else if (config?.action === 'create' && !gatewayRuns(observed) && (installedVersion || desired.version)) actions.push({ type: 'restart', service: host.service, reason: START_NEW });
  // Down because clawctl's own restart was cut off, not because someone stopped it.
  else if (observed.restartCutOff && !gatewayRuns(observed)) actions.push({ type: 'restart', service: host.service, reason: RESUME_RESTART });
  return withCron(actions, cron, desired.name, gatewayRuns(observed) || actions.some((a) => a.type === 'restart'));
}

/** Cron jobs last: apply changes them through the gateway once the files are in and it is up. */
function withCron(actions: PlannedAction[], cron: CronAction | undefined, agent: string, gatewayUp: boolean): PlannedAction[] {
  if (!cron) return actions;
  const waits = `the gateway is not running, and OpenClaw changes cron jobs only through it: start it (clawctl agents restart ${agent}), then apply again`;
  return [...actions, gatewayUp ? cron : { ...cron, waits }];
}

/** The unit clawctl writes for a systemd service: whole, when it is missing or differs. */
function diffService(desired: DesiredAgent, host: DesiredHost, observed: ObservedAgent, account: UnitAccount | undefined): ServiceAction | undefined {
  if (host.service !== 'systemd-user' && host.service !== 'systemd') return undefined;
  // Not observed (no unit fact): nothing to compare with, so nothing is planned blind.
  if (observed.unit === undefined || (host.service === 'systemd' && !account)) return undefined;
  const unit = agentUnit(desired);
  const content = gatewayUnit(desired, host, account);
  if (observed.unit === content) return undefined;
  return { type: 'service', action: observed.unit ? 'update' : 'create', service: host.service, unit, path: unitPath(host.service, unit), content };
}

/**
 * Restart only a gateway that runs: one that was stopped (or never installed as a service,
 * on a fresh host) is not started behind the operator's back, and a restart of a unit that
 * does not exist would fail the apply.
 */
function gatewayRuns(observed: ObservedAgent): boolean {
  if (observed.health.state !== 'down') return true;
  return observed.service !== undefined && RUNNING_UNIT_STATES.has(observed.service);
}

const RUNNING_UNIT_STATES = new Set(['active', 'activating', 'reloading']);

function diffConfig(desired: DesiredAgent['config'], observed: ObservedAgent): ConfigAction | undefined {
  const current = observed.config;
  const patch = jsonpatch.compare(current?.value ?? {}, desired);
  const modeOff = current !== null && current.mode !== MANAGED_MODE;
  if (current !== null && current.value !== null && patch.length === 0 && !modeOff) return undefined;
  const previous: Record<string, unknown> = {};
  for (const op of patch) {
    if (op.op === 'replace' || op.op === 'remove') previous[op.path] = jsonpatch.getValueByPointer(current?.value ?? {}, op.path);
  }
  return {
    type: 'config',
    action: current === null ? 'create' : 'update',
    patch,
    previous,
    ...(current === null || modeOff ? { mode: { from: current?.mode ?? null, to: MANAGED_MODE } } : {}),
    ...(current?.parseError ? { parseError: current.parseError } : {}),
  };
}

function diffEnv(desired: ReturnType<typeof effectiveFiles>['env'], observed: ObservedAgent): EnvAction | undefined {
  const current = observed.env;
  const have = current?.entries ?? {};
  const entries: EnvEntryChange[] = [];
  for (const name of Object.keys(desired).sort()) {
    const want = desired[name]!;
    const old = have[name];
    if (!old) entries.push({ name, action: 'add', after: String(want) });
    else if (old.hash !== want.hash) entries.push({ name, action: 'change', before: String(old), after: String(want) });
  }
  for (const name of Object.keys(have).sort()) {
    if (!(name in desired)) entries.push({ name, action: 'remove', before: String(have[name]) });
  }
  const modeOff = current !== null && current.mode !== MANAGED_MODE;
  if (current !== null && entries.length === 0 && !modeOff) return undefined;
  return {
    type: 'env',
    action: current === null ? 'create' : 'update',
    entries,
    ...(current === null || modeOff ? { mode: { from: current?.mode ?? null, to: MANAGED_MODE } } : {}),
  };
}

function diffVersion(pinned: string | undefined, installed: string | undefined): VersionAction | undefined {
  if (!pinned || pinned === installed) return undefined;
  return { type: 'version', action: installed ? 'update' : 'create', from: installed ?? null, to: pinned };
}
