import { hostScript } from '../openclaw/host-script.js';
import type { ServiceKind } from '../validate/manifests.js';

/**
 * The commands apply runs on a host: fixed POSIX sh scripts from host-scripts/. Every value
 * (state dir, file names, version, unit, port) arrives as an argument, and file contents
 * arrive on stdin, one base64 line per file: secrets never appear in a command line or `ps`.
 */
const INSTALL = hostScript('refuse-links.sh', 'install.sh');
const ROLLBACK = hostScript('rollback.sh');
const FORGET_ENV = hostScript('forget-env.sh');
const OPENCLAW_INSTALL = hostScript('refuse-links.sh', 'openclaw-install.sh');
const OPENCLAW_BACKUP = hostScript('refuse-links.sh', 'openclaw-backup.sh');
const OPENCLAW_RESTORE = hostScript('refuse-links.sh', 'gateway-lock.sh', 'openclaw-restore.sh');
const BACKUPS_LIST = hostScript('backups-list.sh');
const RESTART = hostScript('refuse-links.sh', 'gateway-lock.sh', 'restart.sh');
const REMOVE = hostScript('gateway-lock.sh', 'remove.sh');
const WAIT_READY = hostScript('wait-ready.sh');
const FORGET = hostScript('refuse-links.sh', 'forget.sh');
const SERVICE_INSTALL = hostScript('refuse-links.sh', 'service-install.sh');
const AGENT_LOCK = hostScript('agent-lock.sh');

/** Exit code of install.sh when OpenClaw rejects the candidate config. */
export const CONFIG_REJECTED = 65;

const sh = (script: string, name: string, ...args: string[]) => ['sh', '-c', script, name, ...args];

/**
 * The host bounds a script itself too (coreutils `timeout`, then SIGKILL), so nothing it runs
 * outlives the deadline even if this side has gone. A gateway it starts runs in its own
 * session and is not touched.
 */
const bounded = (seconds: number, argv: string[]) => ['timeout', '-k', '5', String(seconds), ...argv];

/**
 * Seconds a command that changes an agent waits for that agent's lock on the host
 * (agent-lock.sh): long enough for a script of a clawctl that was killed to end, which it does
 * at its next line of output or its own bound, whichever is first.
 */
export const AGENT_LOCK_WAIT_SECONDS = 30;
/** Run argv holding the agent's lock on the host, so it never races another change of the same agent. */
const locked = (stateDir: string, argv: string[]) => sh(AGENT_LOCK, 'clawctl-agent-lock', stateDir, String(AGENT_LOCK_WAIT_SECONDS), ...argv);

/** Seconds between SIGTERM and SIGKILL for a gateway that must stop within `limit` seconds. */
export function graceSeconds(limit: number): number {
  return Math.min(30, Math.max(3, Math.round(limit / 3)));
}

/** How long this side waits for a script bounded to `limit` seconds: its bound, its SIGKILL margin and the wait for its agent's lock. */
export function deadlineFor(limit: number): number {
  return limit + 20 + AGENT_LOCK_WAIT_SECONDS;
}

/** The marker line: fleet and agent names are DNS labels, so one line of two words holds them. */
export const ownerLine = (fleet: string, agent: string) => `fleet=${fleet} agent=${agent}`;
export const installFilesArgv = (stateDir: string, owner: string, names: readonly string[]) => locked(stateDir, sh(INSTALL, 'clawctl-install', stateDir, owner, ...names));
export const rollbackFilesArgv = (stateDir: string, names: readonly string[]) => locked(stateDir, sh(ROLLBACK, 'clawctl-rollback', stateDir, ...names));
export const serviceInstallArgv = (service: 'systemd-user' | 'systemd', unit: string) => sh(SERVICE_INSTALL, 'clawctl-service-install', service, unit);
export const forgetAgentArgv = (stateDir: string, owner: string) => locked(stateDir, sh(FORGET, 'clawctl-forget', stateDir, owner));
export const forgetEnvArgv = (stateDir: string) => locked(stateDir, sh(FORGET_ENV, 'clawctl-forget-env', stateDir));
/** An install streams a few hundred MB to the host and unpacks it: far longer than a command's usual deadline. */
export const OPENCLAW_INSTALL_SECONDS = 1800;
export const openclawInstallArgv = (version: string, sha256: string, mode: 'unpack' | 'switch') =>
  bounded(OPENCLAW_INSTALL_SECONDS, sh(OPENCLAW_INSTALL, 'clawctl-openclaw-install', version, sha256, mode));
/** A backup reads the whole state dir and checks the archive: bounded, but not by a command's usual minute or two. */
export const BACKUP_SECONDS = 600;
export const openclawBackupArgv = (stateDir: string, profile: string | undefined, version: string) =>
  locked(stateDir, bounded(BACKUP_SECONDS, sh(OPENCLAW_BACKUP, 'clawctl-openclaw-backup', stateDir, profile ?? '', version)));
/** `archive`: one backup by its file name (`clawctl backups restore`); else the newest that version made. */
export const openclawRestoreArgv = (stateDir: string, version: string, service: ServiceKind, unit: string, graceSeconds: number, archive?: string) =>
  locked(stateDir, bounded(BACKUP_SECONDS, sh(OPENCLAW_RESTORE, 'clawctl-openclaw-restore', stateDir, version, service, unit, String(graceSeconds), ...(archive ? [archive] : []))));
export const backupsListArgv = (stateDirs: readonly string[]) => sh(BACKUPS_LIST, 'clawctl-backups-list', ...stateDirs);

export interface RestartRequest {
  service: ServiceKind;
  unit: string;
  stateDir: string;
  profile: string | undefined;
  port: number;
  /**
   * reuse: OpenClaw's own `gateway restart` (in-process for a plain process), forced only when
   * it does not finish. fresh: a new process, which a changed .env or OpenClaw version needs.
   */
  mode: 'reuse' | 'fresh';
  /** Seconds the restart may take: the Fleet's rollout.healthTimeoutSeconds. */
  limitSeconds: number;
}

export function restartArgv(r: RestartRequest): string[] {
  const limit = r.limitSeconds;
  const args = [r.service, r.unit, r.stateDir, r.profile ?? '', String(r.port), r.mode, String(limit), String(graceSeconds(limit))];
  return locked(r.stateDir, bounded(limit + 10, sh(RESTART, 'clawctl-restart', ...args)));
}

export const removeAgentArgv = (stateDir: string, service: ServiceKind, unit: string, profile: string | undefined, limitSeconds: number) =>
  locked(stateDir, bounded(limitSeconds + 10, sh(REMOVE, 'clawctl-remove', stateDir, service, unit, profile ?? '', String(limitSeconds), String(graceSeconds(limitSeconds)))));

export const waitReadyArgv = (port: number, timeoutSeconds: number, version?: string) =>
  bounded(timeoutSeconds + 10, sh(WAIT_READY, 'clawctl-wait-ready', String(port), String(timeoutSeconds), ...(version ? [version] : [])));

/** What restart.sh said it did: "clawctl: …" lines, and "clawctl-forced: …" for what it had to force. */
export function restartNotes(stdout: string): { notes: string[]; forced: string[] } {
  const notes: string[] = [];
  const forced: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^clawctl(-forced)?: (.+)$/.exec(line.trim());
    if (!m) continue;
    notes.push(m[2]!);
    if (m[1]) forced.push(m[2]!);
  }
  return { notes, forced };
}
