import type { AuditSink } from '../audit/audit-log.js';
import { execWithin } from '../apply/bounded-exec.js';
import { deadlineFor, restartArgv, restartNotes, waitReadyArgv } from '../apply/host-scripts.js';
import { redactor } from '../diagnose/redact.js';
import { serviceUnitName } from '../openclaw/paths.js';
import type { ServiceKind } from '../validate/manifests.js';
import { ClawctlError } from '../util/errors.js';
import { agentTarget, observeAgent } from './agent-target.js';
import { withFleetLock } from '../engine/apply-run.js';

export interface RestartResult {
  agent: string;
  host: string;
  service: ServiceKind;
  /** The gateway's state before the restart, as its probes said. */
  before: string;
  /** Whether /readyz answered 200 within the timeout after the restart. */
  healthy: boolean;
  seconds: number;
  detail?: string;
  /** What the restart had to force, e.g. a SIGKILL for a stop that hung. */
  forced?: string[];
}

/**
 * The one imperative action: restart an agent's gateway through its service manager, then
 * wait for /readyz, each within the timeout; a stop that hangs is forced (restart.sh). Under
 * the fleet lock, so it never interleaves with an apply; audited either way. Files are not
 * touched: what the gateway loads is what the host has.
 */
export async function restartAgent(opts: { fleetDir: string; agent: string; timeoutSeconds?: number; audit: AuditSink }): Promise<RestartResult> {
  return withFleetLock(opts.fleetDir, `agents restart ${opts.agent}`, async () => {
    const t = await agentTarget(opts.fleetDir, opts.agent);
    try {
      if (t.host.service === 'none') {
        throw new ClawctlError(`host ${t.host.name} has service: none, so clawctl does not run its gateways`, [
          { message: `agent ${t.agent.name}: nothing to restart through`, hint: "set the Host's spec.service (systemd-user, systemd or process), or restart the gateway yourself" },
        ]);
      }
      const seen = await observeAgent(t);
      const redact = redactor(Object.values(seen.agent.env?.entries ?? {}));
      const conn = await t.pool.get(t.host);
      const started = Date.now();
      const timeout = opts.timeoutSeconds ?? t.desired.rollout.healthTimeoutSeconds;
      const argv = restartArgv({
        service: t.host.service,
        unit: serviceUnitName(t.agent.profile),
        stateDir: t.agent.stateDir,
        profile: t.agent.profile,
        port: t.agent.port,
        mode: 'reuse',
        limitSeconds: timeout,
      });
      const restarted = await execWithin(conn, argv, deadlineFor(timeout));
      const { forced } = restartNotes(redact(restarted.stdout));
      const ready = restarted.code === 0 ? await execWithin(conn, waitReadyArgv(t.agent.port, timeout), deadlineFor(timeout)) : undefined;
      const healthy = ready?.code === 0;
      const last = ready ?? restarted;
      const output = last.timedOut
        ? `no answer from ${conn.describe} within ${deadlineFor(timeout)} s`
        : redact(last.stdout + last.stderr)
            .trim()
            .split('\n')
            .slice(-5)
            .join('\n');
      const result: RestartResult = {
        agent: t.agent.name,
        host: t.host.name,
        service: t.host.service,
        before: seen.agent.health.state,
        healthy,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        ...(healthy ? {} : { detail: restarted.code !== 0 ? `restart via ${t.host.service} exited ${restarted.code}: ${output}` : output }),
        ...(forced.length > 0 ? { forced } : {}),
      };
      await opts.audit.record([
        {
          action: 'agent.restart',
          target: t.agent.name,
          result: healthy ? 'ok' : restarted.code !== 0 ? 'failed' : 'unhealthy',
          details: { host: t.host.name, service: t.host.service, before: result.before, seconds: result.seconds, ...(forced.length > 0 ? { forced: forced.join('; ') } : {}) },
        },
      ]);
      return result;
    } finally {
      await t.pool.closeAll();
    }
  });
}
