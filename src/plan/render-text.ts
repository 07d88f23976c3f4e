import type { Operation } from 'fast-json-patch';
import { formatOptOut, formatViolation } from '../policy/violation.js';
import { configCheckSummary, configCheckWarnings } from '../openclaw/config-check.js';
import { MANAGED_ENV } from '../openclaw/managed-env.js';
import { renderCronAction } from './render-cron.js';
import { renderEc2Action } from './render-ec2.js';
import { hasChanges, summarize, summaryText, type AgentPlan, type HostAction, type Plan, type PlannedAction, type PlanWave } from './plan.js';

/** Longer values are printed as indented JSON below their path. */
const MAX_INLINE = 80;

/** Human view of a plan, built only from its JSON form (what `plan --json` prints). */
export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  const { violations, optOuts, approved } = plan.policy;
  if (violations.length > 0) {
    out.push(`Policy: ${violations.length} violation(s); nothing will be applied:`, ...violations.map((v) => `  ✗ ${formatViolation(v)}`), '');
  }
  for (const o of optOuts) out.push(`Policy: ${formatOptOut(o)}`);
  for (const a of approved) out.push(`Policy: approved ${a.policy}/${a.rule} for ${a.object.kind.toLowerCase()} ${a.object.name}: ${a.detail}`);
  if (optOuts.length + approved.length > 0) out.push('');
  for (const u of plan.unreachable) {
    out.push(`Error: ${u.error}`);
    if (u.hint) out.push(`  hint: ${u.hint}`);
    if (u.agents.length > 0) out.push(`  not planned: ${u.agents.join(', ')}`);
    out.push('');
  }
  const checks = [...configCheckSummary(plan.config_checks), ...configCheckWarnings(plan.config_checks)];
  if (checks.length > 0) out.push(...checks, '');
  const changes = plan.changes.filter((c) => c.adopt !== 'as-is');
  const asIs = plan.changes.filter((c) => c.adopt === 'as-is');
  if (!hasChanges(plan)) {
    out.push(plan.unreachable.length > 0 ? 'No changes on the hosts that were reached.' : 'No changes. The fleet matches the desired state.');
  } else {
    out.push('clawctl will perform the following actions:', '');
    const hosts = [...new Set([...plan.hosts.map((h) => h.host), ...changes.map((c) => c.host)])];
    for (const host of hosts) {
      out.push(`  # host ${host}`);
      for (const action of plan.hosts.find((h) => h.host === host)?.actions ?? []) out.push(`  ${renderHostAction(action, host)}`);
      for (const agent of changes.filter((c) => c.host === host)) out.push(...renderAgent(agent));
      out.push('');
    }
  }
  if (asIs.length > 0) {
    out.push(
      '',
      `The next apply adopts ${asIs.length === 1 ? 'this agent' : `these ${asIs.length} agents`} as ${asIs.length === 1 ? 'it is' : 'they are'}: it writes the ownership marker and ${Object.keys(MANAGED_ENV).join(', ')} into .env (read at the gateway's next restart), and nothing else:`,
      ...asIs.map((c) => `  = agent ${c.agent} on ${c.host} (~/${c.stateDir})`),
      '',
    );
  }
  const waves = plan.waves.filter((w) => w.hosts.length > 0);
  if (hasChanges(plan) && (waves.length > 1 || (waves.length === 1 && waves[0]!.name !== 'rest'))) {
    const soak = (w: PlanWave) => (w.soakSeconds > 0 ? `, soaks ${w.soakSeconds} s` : '');
    out.push(`Rollout in ${waves.length} ${waves.length === 1 ? 'wave' : 'waves'}, each healthy before the next: ${waves.map((w) => `${w.name} (${w.hosts.join(', ')}${soak(w)})`).join(' → ')}`, '');
  }
  const s = plan.summary;
  out.push(`Plan: ${summaryText(s)}.`);
  const skipped = plan.removals_not_planned ?? 0;
  if (skipped > 0) {
    const which = skipped === 1 ? '1 agent that left the fleet is' : `${skipped} agents that left the fleet are`;
    out.push(`Note: ${which} not planned for removal: this plan is limited to some agents (-l, or --target AGENT). Plan the whole fleet, or --target HOST, to remove them.`);
  }
  return out.join('\n');
}

/** One agent's pending changes, as `plan` would print them were it the only one (agents info, the dashboard). */
export function renderAgentPlanText(plan: Plan, pending: AgentPlan): string {
  return renderPlanText({ ...plan, changes: [pending], unreachable: [], hosts: [], waves: [], summary: summarize([pending], []), policy: { violations: [], optOuts: [], approved: [] } });
}

function renderAgent(agent: AgentPlan): string[] {
  const gone = agent.actions.some((a) => a.type === 'destroy' || a.type === 'forget');
  // New: something is created and nothing changed. A restart alone (a stale gateway) is a change.
  const creates = (a: AgentPlan['actions'][number]) => a.type !== 'restart' && a.type !== 'cron' && a.type !== 'destroy' && a.type !== 'forget' && a.action === 'create';
  const fresh = agent.actions.some(creates) && agent.actions.every((a) => a.type === 'restart' || a.type === 'cron' || creates(a));
  const adopting = agent.adopt ? ' (adopted: its ownership marker records that clawctl did not create it)' : '';
  const out = [`  ${gone ? '-' : fresh ? '+' : '~'} agent ${agent.agent} (~/${agent.stateDir})${gone ? ': no longer in the fleet' : adopting}`];
  for (const action of agent.actions) out.push(...renderAction(action).map((l) => `      ${l}`));
  return out;
}

const SIGN = { create: '+', update: '~', delete: '-' } as const;

function renderHostAction(a: HostAction, host: string): string {
  if (a.type === 'openclaw') {
    const what = a.unpacked ? 'already unpacked beside it: only the link moves' : `node ${a.node}, linux-${a.arch}, streamed from here over this connection`;
    const verb = a.from ? `~ openclaw ${a.from} → ${a.to}` : `+ install openclaw ${a.to}`;
    const restore = a.restore
      ? `; a downgrade: each agent's state is restored from the newest backup OpenClaw ${a.to} made (OpenClaw does not reverse its state migrations), the current one kept aside`
      : '';
    return `${verb} (${what}) into ~/.local/share/clawctl/openclaw/${a.to}, current as ~/.local/bin/openclaw${a.from ? `; ${a.from} stays for a rollback` : ''}${restore}`;
  }
  if (a.type === 'ec2') return renderEc2Action(a, host);
  if (a.action === 'delete') return `- observation gate: removed (~/.clawctl/observe and its key line in ~/.ssh/authorized_keys)`;
  const where = a.authorizedKeys ? ', its line in ~/.ssh/authorized_keys' : '; its authorized_keys line is yours to install';
  return `${SIGN[a.action]} observation gate ${a.version}: key ${a.key} may only run the facts script (~/.clawctl/observe${where})`;
}

function renderAction(a: PlannedAction): string[] {
  switch (a.type) {
    case 'config': {
      const lines = [`${SIGN[a.action]} openclaw.json${modeNote(a.mode)}`];
      if (a.parseError) lines.push(`    ! the host's file is not valid JSON5 (${a.parseError}); it will be replaced`);
      for (const op of a.patch) lines.push(...renderOp(op, a.previous[op.path]).map((l) => `    ${l}`));
      return lines;
    }
    case 'env': {
      const lines = [`${SIGN[a.action]} .env${modeNote(a.mode)}`];
      for (const e of a.entries) {
        if (e.action === 'add') lines.push(`    + ${e.name} = ${e.after}`);
        else if (e.action === 'remove') lines.push(`    - ${e.name}`);
        else lines.push(`    ~ ${e.name} ${e.before} → ${e.after}`);
      }
      return lines;
    }
    case 'service':
      return [
        `${SIGN[a.action]} ${a.service === 'systemd' ? 'system' : 'user'} unit ${a.unit} (${a.path.startsWith('/') ? a.path : `~/${a.path}`}), enabled${a.service === 'systemd-user' ? ', with lingering for the user' : ''}`,
      ];
    case 'version':
      return [a.from ? `~ openclaw version ${a.from} → ${a.to}` : `+ openclaw ${a.to} (not installed)`];
    case 'restart':
      return [`↻ restart gateway via ${a.service} (${a.reason})`];
    case 'drop-old-env':
      return ['- .env.clawctl-prev (the .env an interrupted apply kept for its rollback: old secrets, no longer needed)'];
    case 'forget':
      return [
        `- stop managing it: only its ownership marker is removed; it was adopted, so its state dir and gateway stay as they are (${Object.keys(MANAGED_ENV).join(', ')} stays in its .env until you remove it)`,
      ];
    case 'destroy':
      return [`- stop the gateway (${a.service}) and move the state dir aside to <dir>.clawctl-removed-<time>, kept for you to delete`];
    case 'cron':
      return renderCronAction(a);
  }
}

function modeNote(mode: { from: string | null; to: string } | undefined): string {
  if (!mode) return '';
  return mode.from ? ` (mode 0${mode.from} → 0${mode.to})` : ` (mode 0${mode.to})`;
}

/** A patch operation with its values whole, as lines: what goes away is shown in full, never cut. */
function renderOp(op: Operation, previous: unknown): string[] {
  switch (op.op) {
    case 'add':
      return `+ ${op.path}: ${shown(op.value, '    ')}`.split('\n');
    case 'replace':
      if (fitsInline(previous) && fitsInline(op.value)) return [`~ ${op.path}: ${shown(previous, '')} → ${shown(op.value, '')}`];
      return [`~ ${op.path}:`, ...`    was ${shown(previous, '        ')}`.split('\n'), ...`    now ${shown(op.value, '        ')}`.split('\n')];
    case 'remove':
      return `- ${op.path}: ${shown(previous, '    ')}`.split('\n');
    default:
      return [`${op.op} ${op.path}`];
  }
}

function fitsInline(value: unknown): boolean {
  return JSON.stringify(value).length <= MAX_INLINE;
}

/** Short values on the line; longer ones as JSON whose later lines are indented by `indent`. */
function shown(value: unknown, indent: string): string {
  return fitsInline(value) ? JSON.stringify(value) : JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}
