import type { ExecResult, HostConnection } from '../connection/connection.js';
import type { DesiredAgent, DesiredHost } from '../desired/desired-state.js';
import { STARTS_GATEWAY } from '../diff/diff-agent.js';
import { redactor } from '../diagnose/redact.js';
import { effectiveFiles } from '../diff/effective.js';
import type { EngineHooks } from '../events/hooks.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { renderDotenv } from '../openclaw/dotenv.js';
import { CONFIG_FILE, ENV_FILE, serviceUnitName, type ManagedFile } from '../openclaw/paths.js';
import type { AgentPlan, CronAction } from '../plan/plan.js';
import { applyCron } from './apply-cron.js';
import type { AgentApplyResult } from './apply-result.js';
import { execWithin } from './bounded-exec.js';
import { formatIssues, parseHostVerdict } from './config-rejection.js';
import { CONFIG_REJECTED, deadlineFor, forgetEnvArgv, installFilesArgv, ownerLine, serviceInstallArgv, restartArgv, restartNotes, rollbackFilesArgv, waitReadyArgv } from './host-scripts.js';

export interface AgentApplyContext {
  /** The fleet's name, written into the agent's ownership marker. */
  fleet: string;
  conn: HostConnection;
  host: DesiredHost;
  desired: DesiredAgent;
  observed: ObservedAgent;
  /** Bounds every restart and every wait for /readyz. */
  healthTimeoutSeconds: number;
  hooks: EngineHooks;
}

class StepError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
  ) {
    super(message);
  }
}

/** One command on the host, as an apply step; `seconds` bounds it on this side too. */
type Step = (name: string, argv: string[], opts?: { stdin?: string; seconds?: number }) => Promise<string>;

interface Run {
  plan: AgentPlan;
  ctx: AgentApplyContext;
  result: AgentApplyResult;
  step: Step;
  redact: (text: string) => string;
  /** Whether apply got as far as restarting the gateway: then its rollback restarts it too. */
  restarted: boolean;
}

/**
 * Carry out one agent's planned actions: files, then version, then restart, then the health
 * gate. If anything after the files fails, the files are rolled back and the gateway brought
 * back onto them: a gateway that was healthy before apply is healthy after it, or the result
 * says plainly that it is not.
 */
export async function applyAgent(plan: AgentPlan, ctx: AgentApplyContext): Promise<AgentApplyResult> {
  const { conn, desired, observed, hooks } = ctx;
  const result: AgentApplyResult = { agent: plan.agent, host: plan.host, ok: false, done: [] };
  const files = effectiveFiles(desired, observed);
  // Host text shown to people (OpenClaw's words, restart output) never carries a .env value.
  const redact = redactor([...Object.values(files.env), ...Object.values(observed.env?.entries ?? {})]);
  const step: Step = async (name, argv, opts = {}) => {
    const res = opts.seconds ? await execWithin(conn, argv, opts.seconds, opts.stdin) : await conn.exec(argv, opts.stdin);
    const ok = res.code === 0;
    const detail = 'timedOut' in res && res.timedOut ? `no answer within ${opts.seconds} s` : lastLines(redact(res.stdout + res.stderr));
    hooks.emit({ type: 'action-done', agent: plan.agent, action: name, ok, ...(ok ? {} : { detail }) });
    if (!ok) throw new StepError(`${name} failed on ${conn.describe} (exit ${res.code}): ${detail}`, res.stdout);
    result.done.push(name);
    return res.stdout;
  };
  const run: Run = { plan, ctx, result, step, redact, restarted: false };

  const names: ManagedFile[] = [];
  const lines: string[] = [];
  for (const action of plan.actions) {
    if (action.type === 'config') {
      names.push(CONFIG_FILE);
      lines.push(Buffer.from(`${JSON.stringify(files.config, null, 2)}\n`).toString('base64'));
    } else if (action.type === 'env') {
      names.push(ENV_FILE);
      const values = Object.fromEntries(Object.entries(files.env).map(([k, v]) => [k, v.reveal()]));
      lines.push(Buffer.from(renderDotenv(values)).toString('base64'));
    }
  }

  hooks.emit({ type: 'agent-apply-start', agent: plan.agent, host: plan.host });
  try {
    if (names.length > 0) await installFiles(run, names, lines);
    try {
      await finishAgent(run);
    } catch (err) {
      if (names.length > 0) throw await rollBack(run, names, err);
      throw err;
    }
    if (names.includes(ENV_FILE)) await forgetOldEnv(run);
    // Cron jobs live in OpenClaw's state, changed through the gateway: once it is up on the new files.
    const cron = plan.actions.find((a): a is CronAction => a.type === 'cron');
    if (cron) await applyCron(cron, { stateDir: desired.stateDir, profile: desired.profile, port: desired.port, seconds: ctx.host.commandTimeoutSeconds }, (desired.cron ?? []).length > 0, step);
    result.ok = true;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  hooks.emit({ type: 'agent-applied', agent: plan.agent, ok: result.ok, ...(result.error ? { error: result.error } : {}), ...(result.rolledBack ? { rolledBack: true } : {}) });
  return result;
}

/** Stage, check with the host's OpenClaw, and rename into place; a rejection is shown whole. */
async function installFiles(run: Run, names: ManagedFile[], lines: string[]): Promise<void> {
  const { ctx, plan, result } = run;
  const name = names.join(' + ');
  const res: ExecResult = await ctx.conn.exec(installFilesArgv(ctx.desired.stateDir, ownerLine(ctx.fleet, ctx.desired.name), names), `${lines.join('\n')}\n`);
  if (res.code === CONFIG_REJECTED) {
    const issues = parseHostVerdict(res.stdout, res.stderr).issues.map((i) => ({ path: i.path, message: run.redact(i.message) }));
    result.configIssues = issues;
    ctx.hooks.emit({ type: 'action-done', agent: plan.agent, action: name, ok: false, detail: `rejected by the host's OpenClaw: ${issues.length} issue(s)` });
    throw new Error(
      `OpenClaw on ${ctx.host.name} rejected the new openclaw.json; nothing was installed. \`openclaw config validate\` names ${issues.length} issue(s):\n${formatIssues(issues, '      ')}`,
    );
  }
  const ok = res.code === 0;
  const detail = lastLines(run.redact(res.stdout + res.stderr));
  ctx.hooks.emit({ type: 'action-done', agent: plan.agent, action: name, ok, ...(ok ? {} : { detail }) });
  if (!ok) throw new Error(`${name} failed on ${ctx.conn.describe} (exit ${res.code}): ${detail}`);
  result.done.push(name);
}

async function finishAgent(run: Run): Promise<void> {
  // A version change was installed by the host's own action, before its agents: the
  // agent's part is the fresh process below, on the new version.
  if (run.plan.actions.some((a) => a.type === 'drop-old-env')) await run.step('drop .env.clawctl-prev', forgetEnvArgv(run.ctx.desired.stateDir));
  for (const action of run.plan.actions) {
    if (action.type === 'service')
      await run.step(`unit ${action.unit}`, serviceInstallArgv(action.service, action.unit), {
        stdin: `${Buffer.from(action.content).toString('base64')}\n`,
        seconds: run.ctx.host.commandTimeoutSeconds,
      });
  }
  if (run.plan.actions.some((a) => a.type === 'restart')) {
    run.restarted = true;
    await restart(run, 'restart');
  }
  // Gate on health where there was a healthy gateway to keep healthy, and where apply started
  // a gateway (a new agent's, one a cut-off restart left down); one an operator stopped is not started.
  if (wasReady(run) || run.plan.actions.some((a) => a.type === 'restart' && STARTS_GATEWAY.has(a.reason))) await waitHealthy(run, 'health');
}

const wasReady = (run: Run) => run.ctx.observed.health.state === 'ready';
const canRestart = (run: Run) => run.ctx.host.service !== 'none';

/**
 * A restart is for a changed .env or OpenClaw version, and only a new process reads either:
 * `fresh`. It is bounded by the health timeout, a stuck stop forced (restart.sh).
 */
async function restart(run: Run, name: string): Promise<void> {
  if (!canRestart(run)) return;
  const { desired, host } = run.ctx;
  const limit = run.ctx.healthTimeoutSeconds;
  const argv = restartArgv({
    service: host.service,
    unit: serviceUnitName(desired.profile),
    stateDir: desired.stateDir,
    profile: desired.profile,
    port: desired.port,
    mode: 'fresh',
    limitSeconds: limit,
  });
  const noteForced = (stdout: string) => {
    const { forced } = restartNotes(run.redact(stdout));
    if (forced.length > 0) (run.result.forced ??= []).push(...forced);
  };
  try {
    noteForced(await run.step(name, argv, { seconds: deadlineFor(limit) }));
  } catch (err) {
    if (err instanceof StepError) noteForced(err.stdout);
    throw err;
  }
}

async function waitHealthy(run: Run, name: string): Promise<void> {
  const limit = run.ctx.healthTimeoutSeconds;
  run.ctx.hooks.emit({ type: 'agent-health-wait', agent: run.plan.agent, timeoutSeconds: limit });
  // After a version change, ready on the new version: the health gate asks /startupz too.
  const version = name === 'health' ? run.plan.actions.find((a) => a.type === 'version')?.to : undefined;
  await run.step(name, waitReadyArgv(run.ctx.desired.port, limit, version), { seconds: deadlineFor(limit) });
}

/**
 * Put the previous files back and bring the gateway back onto them: restarted where apply
 * restarted it (the same bounded, escalating restart), and for a gateway that was healthy
 * before, waited on; if it is not healthy, restarted once more and waited on again. Returns
 * the error to report, which says whether the gateway is healthy again.
 */
async function rollBack(run: Run, names: ManagedFile[], cause: unknown): Promise<Error> {
  const message = errorText(cause);
  const problems: string[] = [];
  const attempt = async (fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      problems.push(errorText(err));
      return false;
    }
  };
  if (!(await attempt(async () => void (await run.step('rollback', rollbackFilesArgv(run.ctx.desired.stateDir, names)))))) {
    return new Error(`${message}\n    the rollback failed too, so the new files may still be in place: ${problems.join('; ')}`);
  }
  run.result.rolledBack = true;
  const restarts = canRestart(run) && run.restarted;
  if (restarts) await attempt(() => restart(run, 'rollback restart'));
  if (!wasReady(run)) return new Error(problems.length > 0 ? `${message}\n    after the rollback: ${problems.join('; ')}` : message);
  let healthy = await attempt(() => waitHealthy(run, 'rollback health'));
  if (!healthy && !restarts && canRestart(run)) {
    // A config-only rollback relies on hot reload; a gateway that did not come back by it
    // gets a new process on the old files.
    healthy = (await attempt(() => restart(run, 'rollback restart'))) && (await attempt(() => waitHealthy(run, 'rollback health')));
  }
  run.result.healthyAfterRollback = healthy;
  if (healthy) return new Error(`${message}\n    the gateway is healthy again on the previous files`);
  return new Error(`${message}\n    the gateway was healthy before apply and is NOT healthy after the rollback: ${problems.join('; ')}\n    next: clawctl diagnose ${run.plan.agent}`);
}

/** The old .env served only a rollback; once the agent passed its gate it would only keep rotated-out secrets. */
async function forgetOldEnv(run: Run): Promise<void> {
  // The agent is applied and healthy whatever happens here: a failure is shown, not fatal.
  const res = await run.ctx.conn.exec(forgetEnvArgv(run.ctx.desired.stateDir)).catch((err: unknown) => ({ code: 1, stdout: '', stderr: errorText(err) }));
  if (res.code !== 0) run.ctx.hooks.emit({ type: 'action-done', agent: run.plan.agent, action: 'remove .env.clawctl-prev', ok: false, detail: lastLines(run.redact(res.stdout + res.stderr)) });
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The end of a command's output: where a script or npm says why it failed. */
function lastLines(text: string): string {
  return text.trim().split('\n').slice(-8).join('\n');
}
