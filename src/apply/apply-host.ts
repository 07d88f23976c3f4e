import { createReadStream } from 'node:fs';
import type { ExecInput, HostConnection } from '../connection/connection.js';
import type { DesiredState } from '../desired/desired-state.js';
import type { EngineHooks } from '../engine/hooks.js';
import { observerInstall, observerMarker, observerRemoveArgv } from '../observe/observer-gate.js';
import { cachedHostBundle, ensureHostBundle, type HostArch } from '../openclaw/host-bundle.js';
import type { HostAction, HostPlan, OpenclawInstallAction } from '../plan/plan.js';
import type { HostApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';
import { deadlineFor, OPENCLAW_INSTALL_SECONDS, openclawInstallArgv } from './host-scripts.js';

/** A command for the host, with what it reads, and how long this side waits for it. */
interface HostCommand {
  argv: string[];
  stdin?: ExecInput;
  seconds: number;
}

/** Carry out what a host itself needs, in order; the first failure stops the rest of that host. */
export async function applyHost(plan: HostPlan, conn: HostConnection, desired: Pick<DesiredState, 'fleet' | 'observer'>, seconds: number, hooks: EngineHooks): Promise<HostApplyResult> {
  const done: string[] = [];
  for (const action of plan.actions) {
    const name = action.type === 'openclaw' ? `openclaw ${action.to}` : action.type;
    let ok = false;
    let detail = '';
    try {
      const command = await hostCommand(action, desired, seconds, hooks);
      const res = await execWithin(conn, command.argv, command.seconds, command.stdin);
      ok = res.code === 0;
      detail = res.timedOut ? `no answer within ${command.seconds} s` : res.stderr.trim().split('\n').slice(-3).join(' / ');
      if (!ok) detail = `(exit ${res.code}) ${detail}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    hooks.emit({ type: 'host-action-done', host: plan.host, action: name, ok, ...(ok ? {} : { detail }) });
    if (!ok) return { host: plan.host, ok: false, done, error: `${name} on ${conn.describe} failed: ${detail}` };
    done.push(name);
  }
  return { host: plan.host, ok: true, done };
}

async function hostCommand(action: HostAction, desired: Pick<DesiredState, 'fleet' | 'observer'>, seconds: number, hooks: EngineHooks): Promise<HostCommand> {
  if (action.type === 'openclaw') return installCommand(action, hooks);
  if (action.action === 'delete' || !desired.observer) return { argv: observerRemoveArgv(observerMarker(desired.fleet.name)), seconds };
  return { ...observerInstall(desired.observer), seconds };
}

/** The bundle goes over the host's own connection: made (or found) here, checked there by its SHA-256. */
async function installCommand(action: OpenclawInstallAction, hooks: EngineHooks): Promise<HostCommand> {
  const seconds = deadlineFor(OPENCLAW_INSTALL_SECONDS);
  // Unpacked already: the script only moves the link, and reads nothing.
  if (action.unpacked) return { argv: openclawInstallArgv(action.to, '0'), stdin: '', seconds };
  const arch = action.arch as HostArch;
  if (!(await cachedHostBundle(action.to, arch))) hooks.emit({ type: 'openclaw-bundle', version: action.to, arch });
  const made = await ensureHostBundle(action.to, arch);
  if (!made.ok) throw new Error(made.reason);
  return { argv: openclawInstallArgv(action.to, made.bundle.sha256), stdin: createReadStream(made.bundle.file), seconds };
}
