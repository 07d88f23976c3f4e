import type { AuditSink } from '../audit/audit-log.js';
import { execWithin } from '../apply/bounded-exec.js';
import { backupsListArgv, BACKUP_SECONDS, deadlineFor, graceSeconds, openclawRestoreArgv, restartArgv, waitReadyArgv } from '../apply/host-scripts.js';
import { ConnectionPool } from '../connection/pool.js';
import { ec2NotReachable, locatedHosts } from '../observe/locate-ec2.js';
import { agentTarget, observeAgent } from '../agents/agent-target.js';
import { withFleetLock } from '../engine/apply-run.js';
import { loadDesired } from '../engine/fleet-run.js';
import { serviceUnitName } from '../openclaw/paths.js';
import { mapLimit } from '../util/concurrency.js';
import { ClawctlError } from '../util/errors.js';

/** One backup an upgrade made of an agent (openclaw-backup.sh), kept on its host. */
export interface Backup {
  agent: string;
  host: string;
  /** The OpenClaw version that made it, and so the one that can run on what it holds. */
  version: string;
  /** Its file name: what `backups restore AGENT ID` takes. */
  id: string;
  bytes: number;
}

export interface BackupsListResult {
  backups: Backup[];
  /** Hosts that could not be asked, with why. */
  unreachable: { host: string; error: string }[];
}

/** Pure: the list script's lines, for the agents asked (by state dir), in the order they came. */
export function parseBackupLines(stdout: string, host: string, byStateDir: ReadonlyMap<string, string>): Backup[] {
  const out: Backup[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^backup (\S+) ([0-9A-Za-z.-]+) ([^/\s]+-openclaw-backup\.tar\.gz) (\d+)$/.exec(line);
    const agent = m && byStateDir.get(m[1]!);
    if (agent) out.push({ agent, host, version: m[2]!, id: m[3]!, bytes: Number(m[4]) });
  }
  return out;
}

/** Every backup kept for the fleet's agents (or one agent's), one command per host. */
export async function listBackups(opts: { fleetDir: string; agent?: string; concurrency: number }): Promise<BackupsListResult> {
  const { desired } = await loadDesired(opts.fleetDir, { secrets: false });
  const agents = opts.agent ? desired.agents.filter((a) => a.name === opts.agent) : desired.agents;
  if (opts.agent && agents.length === 0) throw new ClawctlError(`${opts.agent} names no agent of the fleet`, [{ message: `no Agent named ${opts.agent}`, hint: 'clawctl agents list names them' }]);
  const pool = new ConnectionPool();
  try {
    // EC2 Hosts where their instances are now (found by their tags), as plan finds them.
    const hosts = await locatedHosts(
      desired,
      desired.hosts.filter((h) => agents.some((a) => a.host === h.name)),
    );
    const results = await mapLimit(hosts, opts.concurrency, async (host) => {
      const mine = agents.filter((a) => a.host === host.name);
      const notReachable = ec2NotReachable(host);
      if (notReachable) return { host: host.name, error: notReachable.error };
      try {
        const conn = await pool.get(host);
        const res = await conn.exec(backupsListArgv(mine.map((a) => a.stateDir)));
        if (res.code !== 0) return { host: host.name, error: `listing backups exited ${res.code}: ${res.stderr.trim().slice(0, 300)}` };
        return parseBackupLines(res.stdout, host.name, new Map(mine.map((a) => [a.stateDir, a.name])));
      } catch (err) {
        return { host: host.name, error: (err as Error).message };
      }
    });
    return { backups: results.flatMap((r) => (Array.isArray(r) ? r : [])), unreachable: results.filter((r): r is { host: string; error: string } => !Array.isArray(r)) };
  } finally {
    await pool.closeAll();
  }
}

export interface BackupRestoreResult {
  agent: string;
  host: string;
  backup: Backup;
  /** Whether /readyz answered 200 after the gateway was started on the restored state. */
  healthy: boolean;
  detail?: string;
}

/**
 * Put one backup back by hand, as a downgrade does: under the fleet lock, OpenClaw's own
 * `backup restore` into a fresh dir, the gateway stopped, the current state dir kept aside,
 * the restored one in its place, the gateway started and health-gated; audited either way.
 * Only a backup made by the version the host runs now can be restored (an older one's state
 * would be migrated again; a newer one's cannot be read): say which to pin otherwise.
 */
export async function restoreBackup(opts: { fleetDir: string; agent: string; id?: string; audit: AuditSink; concurrency: number }): Promise<BackupRestoreResult> {
  const { backups } = await listBackups({ fleetDir: opts.fleetDir, agent: opts.agent, concurrency: opts.concurrency });
  return withFleetLock(opts.fleetDir, `backups restore ${opts.agent}`, async () => {
    const t = await agentTarget(opts.fleetDir, opts.agent);
    try {
      const seen = await observeAgent(t);
      const running = seen.host.openclaw.version;
      const candidates = backups.filter((b) => (opts.id ? b.id === opts.id : b.version === running));
      const backup = candidates.at(-1);
      if (!backup) {
        throw new ClawctlError(opts.id ? `no backup ${opts.id} of ${opts.agent}` : `no backup of ${opts.agent} made by OpenClaw ${running ?? '(none installed)'}, the version its host runs`, [
          { message: `backups kept: ${backups.map((b) => `${b.id} (OpenClaw ${b.version})`).join(', ') || 'none'}`, hint: '`clawctl backups list` shows them' },
        ]);
      }
      if (backup.version !== running) {
        throw new ClawctlError(`${backup.id} was made by OpenClaw ${backup.version}, and host ${t.host.name} runs ${running ?? 'none'}`, [
          {
            message: 'OpenClaw migrates its state forward only: a backup is restored under the version that made it',
            hint: `pin OpenClaw ${backup.version} and apply (a downgrade restores the newest backup it made), or pick a backup of ${running}`,
          },
        ]);
      }
      const conn = await t.pool.get(t.host);
      const limit = t.desired.rollout.healthTimeoutSeconds;
      const unit = serviceUnitName(t.agent.profile);
      const restored = await execWithin(conn, openclawRestoreArgv(t.agent.stateDir, backup.version, t.host.service, unit, graceSeconds(limit), backup.id), deadlineFor(BACKUP_SECONDS));
      let healthy = false;
      let detail: string | undefined = restored.code === 0 ? undefined : restored.stderr.trim().split('\n').slice(-2).join(' / ');
      if (restored.code === 0 && t.host.service !== 'none') {
        const argv = restartArgv({ service: t.host.service, unit, stateDir: t.agent.stateDir, profile: t.agent.profile, port: t.agent.port, mode: 'fresh', limitSeconds: limit });
        const started = await execWithin(conn, argv, deadlineFor(limit));
        const ready = started.code === 0 ? await execWithin(conn, waitReadyArgv(t.agent.port, limit), deadlineFor(limit)) : started;
        healthy = ready.code === 0;
        if (!healthy) detail = ready.stdout.trim().split('\n').at(-1) ?? `exit ${ready.code}`;
      }
      const result = restored.code === 0 ? (t.host.service === 'none' || healthy ? 'ok' : 'unhealthy') : 'failed';
      await opts.audit.record([{ action: 'backup.restore', target: t.agent.name, result, details: { host: t.host.name, backup: backup.id, version: backup.version } }]);
      return { agent: t.agent.name, host: t.host.name, backup, healthy, ...(detail ? { detail } : {}) };
    } finally {
      await t.pool.closeAll();
    }
  });
}
