import { pointerToPath } from '../util/json.js';
import semver from 'semver';
import type { AgentPlan } from '../plan/plan.js';
import type { SourcePos } from '../util/errors.js';
import type { PlanActionKind, PlanActionMatcher } from '../validate/manifests.js';
import { agentPos, configPos, envPos, versionPos, type AgentSubject } from './subject.js';

/**
 * One thing a plan does to an agent, in the words plan rules use. `items` are the config
 * paths or env names it touches, so a matcher can narrow it.
 */
export interface PlanEvent {
  kind: PlanActionKind;
  items: string[];
  describe(items: string[]): string;
  /** Undefined when the agent has no manifest: the caller points at the rule instead. */
  locate(items: string[]): SourcePos | undefined;
}

/** The events of one agent's plan; `s` is missing when the agent's manifest is. */
export function planEvents(plan: AgentPlan, s: AgentSubject | undefined): PlanEvent[] {
  const at = (find: (s: AgentSubject) => SourcePos) => () => (s ? find(s) : undefined);
  const named = at((x) => agentPos(x, ['metadata', 'name']));
  const events: PlanEvent[] = [];
  // Adopted as it is: clawctl's own marker and read-only flag, nothing the manifest changes.
  if (plan.adopt === 'as-is') return events;
  const creates = plan.actions.filter((a) => (a.type === 'config' || a.type === 'env') && a.action === 'create');
  if (creates.length > 0) events.push({ kind: 'create', items: [], describe: () => 'creates the agent (new openclaw.json and .env)', locate: named });
  for (const a of plan.actions) {
    if (a.type === 'restart') events.push({ kind: 'restart', items: [], describe: () => `restarts the gateway (${a.reason})`, locate: named });
    else if (a.type === 'forget')
      continue; // nothing on the host changes but the marker
    else if (a.type === 'drop-old-env')
      continue; // clawctl's own leftover, not the agent's .env
    else if (a.type === 'cron')
      continue; // no plan rule names cron jobs: they are the manifest's, reviewed with it
    else if (a.type === 'destroy') events.push({ kind: 'destroy', items: [], describe: () => 'removes the agent, which left the fleet (gateway stopped, state dir moved aside)', locate: named });
    else if (a.type === 'version') {
      const kind = versionKind(a.from, a.to);
      const what = kind === 'version-install' ? `installs OpenClaw ${a.to}` : `${kind === 'version-upgrade' ? 'upgrades' : 'downgrades'} OpenClaw ${a.from} → ${a.to}`;
      events.push({ kind, items: [], describe: () => what, locate: at(versionPos) });
    } else if (a.action === 'delete') {
      events.push({ kind: 'destroy', items: [], describe: () => `deletes ${a.type === 'config' ? 'openclaw.json' : '.env'}`, locate: named });
    } else if (a.action === 'update' && a.type === 'config') {
      const paths = a.patch.map((op) => op.path);
      events.push({
        kind: 'config-change',
        items: paths,
        describe: (items) => `changes openclaw.json ${items.length > 0 ? `at ${items.join(', ')}` : 'mode'}`,
        locate: (items) => (s ? configPos(s, pointerToPath(items[0] ?? '')) : undefined),
      });
    } else if (a.action === 'update' && a.type === 'env') {
      const envAt = (items: string[]) => (s ? envPos(s, items[0] ?? '') : undefined);
      events.push({ kind: 'env-change', items: a.entries.map((e) => e.name), describe: (items) => `changes .env ${items.length > 0 ? items.join(', ') : 'mode'}`, locate: envAt });
      const rotated = a.entries.filter((e) => e.action === 'change' && s !== undefined && isSecretRef(s, e.name)).map((e) => e.name);
      if (rotated.length > 0) events.push({ kind: 'secret-rotation', items: rotated, describe: (items) => `rotates secret ${items.join(', ')}`, locate: envAt });
    }
  }
  return events;
}

/** A version that semver cannot order counts as an upgrade: any change is then caught by upgrade rules. */
function versionKind(from: string | null, to: string): PlanActionKind {
  if (from === null) return 'version-install';
  return semver.valid(from) && semver.valid(to) && semver.compare(to, from) < 0 ? 'version-downgrade' : 'version-upgrade';
}

/** The agent's own declaration wins over the Fleet's, as in render. */
function isSecretRef(s: AgentSubject, name: string): boolean {
  const value = s.agent.manifest.spec.env?.[name] ?? s.fleet.manifest.spec.defaults?.env?.[name];
  return typeof value === 'object';
}

/** The part of an event a matcher selects, or undefined when it selects none of it. */
export function matchEvent(m: PlanActionMatcher, e: PlanEvent): string[] | undefined {
  if (m.action !== e.kind) return undefined;
  const narrow =
    e.kind === 'config-change' && m.paths
      ? (item: string) => m.paths!.some((p) => item === p || item.startsWith(`${p}/`))
      : (e.kind === 'env-change' || e.kind === 'secret-rotation') && m.env
        ? (item: string) => m.env!.includes(item)
        : undefined;
  if (!narrow) return e.items;
  const items = e.items.filter(narrow);
  return items.length > 0 ? items : undefined;
}
