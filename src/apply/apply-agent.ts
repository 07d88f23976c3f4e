import type { HostConnection } from '../connection/connection.js';
import type { DesiredAgent, DesiredHost } from '../desired/desired-state.js';
import { effectiveFiles } from '../diff/effective.js';
import type { EngineHooks } from '../engine/hooks.js';
import type { ObservedAgent } from '../observe/observed-state.js';
import { renderDotenv } from '../openclaw/dotenv.js';
import { CONFIG_FILE, ENV_FILE, serviceUnitName, type ManagedFile } from '../openclaw/paths.js';
import type { AgentPlan } from '../plan/plan.js';
import type { AgentApplyResult } from './apply-result.js';
import { CONFIG_REJECTED, installFilesArgv, ownerLine, installVersionArgv, restartArgv, rollbackFilesArgv, waitReadyArgv } from './host-scripts.js';

export interface AgentApplyContext {
  /** The fleet's name, written into the agent's ownership marker. */
  fleet: string;
  conn: HostConnection;
  host: DesiredHost;
  desired: DesiredAgent;
  observed: ObservedAgent;
  healthTimeoutSeconds: number;
  hooks: EngineHooks;
}

class StepError extends Error {}

/**
 * Carry out one agent's planned actions: files, then version, then restart, then the
 * health gate. If anything after the files fails, the files are rolled back (and the
 * gateway restarted onto them) so the agent is left as it was.
 */
export async function applyAgent(plan: AgentPlan, ctx: AgentApplyContext): Promise<AgentApplyResult> {
  const { conn, desired, observed, hooks } = ctx;
  const result: AgentApplyResult = { agent: plan.agent, host: plan.host, ok: false, done: [] };
  const step = async (name: string, argv: string[], stdin?: string) => {
    const res = await conn.exec(argv, stdin);
    const ok = res.code === 0;
    hooks.emit({ type: 'action-done', agent: plan.agent, action: name, ok, ...(ok ? {} : { detail: firstLines(res.stdout + res.stderr) }) });
    if (!ok) throw new StepError(`${name} failed on ${conn.describe} (exit ${res.code}): ${firstLines(res.stdout + res.stderr)}`, { cause: res.code });
    result.done.push(name);
  };

  const files = effectiveFiles(desired, observed);
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
    if (names.length > 0) {
      try {
        await step(names.join(' + '), installFilesArgv(desired.stateDir, ownerLine(ctx.fleet, desired.name), names), `${lines.join('\n')}\n`);
      } catch (err) {
        const rejected = err instanceof StepError && err.cause === CONFIG_REJECTED;
        throw rejected ? new StepError(`OpenClaw on ${ctx.host.name} rejected the new openclaw.json; nothing was installed. ${err.message}`) : err;
      }
    }
    try {
      await finishAgent(plan, ctx, step);
    } catch (err) {
      if (names.length > 0) {
        await step('rollback', rollbackFilesArgv(desired.stateDir, names)).catch(() => undefined);
        result.rolledBack = true;
        if (plan.actions.some((a) => a.type === 'restart')) await restart(ctx, step).catch(() => undefined);
      }
      throw err;
    }
    result.ok = true;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  hooks.emit({ type: 'agent-applied', agent: plan.agent, ok: result.ok, ...(result.error ? { error: result.error } : {}), ...(result.rolledBack ? { rolledBack: true } : {}) });
  return result;
}

type Step = (name: string, argv: string[], stdin?: string) => Promise<void>;

async function finishAgent(plan: AgentPlan, ctx: AgentApplyContext, step: Step): Promise<void> {
  for (const action of plan.actions) {
    if (action.type === 'version') await step(`openclaw ${action.to}`, installVersionArgv(action.to));
  }
  if (plan.actions.some((a) => a.type === 'restart')) await restart(ctx, step);
  // Gate on health only where there was a healthy gateway to keep healthy: a gateway that
  // was down before apply is not started by it.
  if (ctx.observed.health.state === 'ready') {
    ctx.hooks.emit({ type: 'agent-health-wait', agent: plan.agent, timeoutSeconds: ctx.healthTimeoutSeconds });
    await step('health', waitReadyArgv(ctx.desired.port, ctx.healthTimeoutSeconds));
  }
}

function restart(ctx: AgentApplyContext, step: Step): Promise<void> {
  if (ctx.host.service === 'none') return Promise.resolve();
  const { desired } = ctx;
  return step('restart', restartArgv(ctx.host.service, serviceUnitName(desired.profile), desired.stateDir, desired.profile));
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 8).join('\n');
}
