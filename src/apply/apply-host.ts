import { createReadStream } from 'node:fs';
import type { ExecInput, HostConnection } from '../connection/connection.js';
import type { DesiredAgent, DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../events/hooks.js';
import { observerInstall, observerMarker, observerRemoveArgv } from '../observe/observer-gate.js';
import type { HostArch } from '../openclaw/host-arch.js';
import { cachedHostBundle, ensureHostBundle } from '../openclaw/host-bundle.js';
import type { HostAction, HostPlan, OpenclawInstallAction } from '../plan/plan.js';
import type { HostApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';
import { BACKUP_SECONDS, deadlineFor, graceSeconds, OPENCLAW_INSTALL_SECONDS, openclawBackupArgv, openclawInstallArgv, openclawRestoreArgv } from './host-scripts.js';
import { serviceUnitName } from '../openclaw/paths.js';
import type { ServiceKind } from '../validate/manifests.js';

/** A command for the host, with what it reads, and how long this side waits for it. */
interface HostCommand {
  argv: string[];
  stdin?: ExecInput;
  seconds: number;
}

/** What a host step needs besides its plan. */
export interface HostStepContext {
  conn: HostConnection;
  desired: Pick<DesiredState, 'fleet' | 'observer'>;
  /** The host's agents whose state dir exists now: backed up before a version switch. */
  existing: readonly Pick<DesiredAgent, 'name' | 'stateDir' | 'profile'>[];
  seconds: number;
  hooks: EngineHooks;
  /** How the host runs its gateways, and how long one may take to stop (a restore stops them). */
  service: ServiceKind;
  healthTimeoutSeconds: number;
}

const installSeconds = deadlineFor(OPENCLAW_INSTALL_SECONDS);

/**
 * Put a new version beside the current one, everywhere, before any wave: the running gateways
 * are untouched, so a host whose transfer fails is known before anything switched.
 */
export async function unpackVersion(plan: HostPlan, ctx: HostStepContext): Promise<HostApplyResult> {
  const action = plan.actions.find((a): a is OpenclawInstallAction => a.type === 'openclaw');
  if (!action || action.unpacked) return { host: plan.host, ok: true, done: [] };
  return runSteps(plan.host, ctx, [[`unpack openclaw ${action.to}`, () => unpackCommand(action, ctx.hooks)]]);
}

/**
 * A host's own setup, in its wave: for a version change, each existing agent backed up by the
 * version that runs now (OpenClaw's `backup create --verify`), then the switch; the
 * observation gate. The first failure stops the rest of that host.
 */
export async function applyHost(plan: HostPlan, ctx: HostStepContext): Promise<HostApplyResult> {
  const steps: [string, () => Promise<HostCommand>, ((stdout: string) => void)?][] = [];
  const result: HostApplyResult = { host: plan.host, ok: true, done: [] };
  for (const action of plan.actions) {
    if (action.type === 'openclaw') {
      const from = action.from;
      for (const agent of from ? ctx.existing : []) {
        steps.push([
          `backup ${agent.name}`,
          async () => ({ argv: openclawBackupArgv(agent.stateDir, agent.profile, from!), seconds: deadlineFor(BACKUP_SECONDS) }),
          (stdout) => (result.backups ??= []).push({ agent: agent.name, archive: archivePath(stdout) }),
        ]);
      }
      steps.push([`openclaw ${action.to}`, async () => ({ argv: openclawInstallArgv(action.to, '0', 'switch'), stdin: '', seconds: installSeconds }), () => (result.switchedFrom = from)]);
      // A downgrade: the older version gets back the state it last saw (its gateway stopped first).
      for (const agent of action.restore ? ctx.existing : []) steps.push(restoreStep(agent, action.to, ctx));
    } else if (action.type === 'observer') {
      steps.push([action.type, async () => observerCommand(action, ctx)]);
    }
  }
  const ran = await runSteps(plan.host, ctx, steps);
  return { ...result, ...ran };
}

/**
 * Back to the version that ran before (still unpacked beside the new one). With `restore`, the
 * new version may have migrated the agents' state, which the old one cannot read: each gets
 * the backup made minutes ago by the old version.
 */
export async function switchBack(host: string, version: string, restore: boolean, ctx: HostStepContext): Promise<HostApplyResult> {
  const steps: [string, () => Promise<HostCommand>][] = [
    [`switch back to openclaw ${version}`, async () => ({ argv: openclawInstallArgv(version, '0', 'switch'), stdin: '', seconds: installSeconds })],
  ];
  for (const agent of restore ? ctx.existing : []) steps.push(restoreStep(agent, version, ctx));
  return runSteps(host, ctx, steps);
}

function restoreStep(agent: Pick<DesiredAgent, 'name' | 'stateDir' | 'profile'>, version: string, ctx: HostStepContext): [string, () => Promise<HostCommand>] {
  const argv = openclawRestoreArgv(agent.stateDir, version, ctx.service, serviceUnitName(agent.profile), graceSeconds(ctx.healthTimeoutSeconds));
  return [`restore ${agent.name} from OpenClaw ${version}'s backup`, async () => ({ argv, seconds: deadlineFor(BACKUP_SECONDS) })];
}

async function runSteps(host: string, ctx: HostStepContext, steps: [string, () => Promise<HostCommand>, ((stdout: string) => void)?][]): Promise<HostApplyResult> {
  const done: string[] = [];
  for (const [name, command, after] of steps) {
    let ok = false;
    let detail = '';
    let stdout = '';
    try {
      const c = await command();
      const res = await execWithin(ctx.conn, c.argv, c.seconds, c.stdin);
      ok = res.code === 0;
      stdout = res.stdout;
      detail = res.timedOut ? `no answer within ${c.seconds} s` : `(exit ${res.code}) ${res.stderr.trim().split('\n').slice(-3).join(' / ')}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    ctx.hooks.emit({ type: 'host-action-done', host, action: name, ok, ...(ok ? {} : { detail }) });
    if (!ok) return { host, ok: false, done, error: `${name} on ${ctx.conn.describe} failed: ${detail}` };
    after?.(stdout);
    done.push(name);
  }
  return { host, ok: true, done };
}

function observerCommand(action: HostAction, ctx: HostStepContext): HostCommand {
  const { desired, seconds } = ctx;
  if (action.action === 'delete' || !desired.observer) return { argv: observerRemoveArgv(observerMarker(desired.fleet.name)), seconds };
  return { ...observerInstall(desired.observer), seconds };
}

/** The bundle goes over the host's own connection: made (or found) here, checked there by its SHA-256. */
async function unpackCommand(action: OpenclawInstallAction, hooks: EngineHooks): Promise<HostCommand> {
  const arch = action.arch as HostArch;
  if (!(await cachedHostBundle(action.to, arch))) hooks.emit({ type: 'openclaw-bundle', version: action.to, arch });
  const made = await ensureHostBundle(action.to, arch);
  if (!made.ok) throw new Error(made.reason);
  return { argv: openclawInstallArgv(action.to, made.bundle.sha256, 'unpack'), stdin: createReadStream(made.bundle.file), seconds: installSeconds };
}

/** OpenClaw's own JSON result names the archive it wrote. */
function archivePath(stdout: string): string {
  try {
    const parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { archivePath?: unknown };
    if (typeof parsed.archivePath === 'string') return parsed.archivePath;
  } catch {
    // not JSON: said below
  }
  return '(archive path not reported)';
}
