import type { DesiredAgent, DesiredState } from '../desired/desired-state.js';
import { MANAGED_ENV } from './managed-env.js';
import { configLayers, locateConfig } from '../desired/config-layers.js';
import type { DataPath } from '../load/source-doc.js';
import type { ConfigOrigin } from '../load/config-file.js';
import { ClawctlError, formatPos, type Diagnostic, type SourcePos } from '../util/errors.js';
import { indexBy } from '../util/index-by.js';
import { isObject, valueAt, type JsonObject } from '../util/json.js';
import type { Manifests } from '../validate/manifests.js';
import { verdictsFor, type ConfigIssue, type ConfigVerdict, type VerdictRequest } from './config-verdict.js';
import { ensureToolchain } from './toolchain.js';

/** What OpenClaw's own check said of one agent's rendered openclaw.json, as plan and validate report it. */
export interface ConfigCheck {
  agent: string;
  /** `not-run` is never a pass: nothing checked the config. */
  status: 'passed' | 'failed' | 'not-run';
  /** The OpenClaw version whose own `config validate` judged it (or would have). */
  version?: string;
  /** Whether that version is the fleet's pin or the one installed on the agent's host. */
  versionFrom?: 'pin' | 'host';
  /** Why the check did not run. */
  reason?: string;
  issues: LocatedIssue[];
  warnings: LocatedIssue[];
}

/** One of OpenClaw's issues, with where the manifest or config file says it. */
export interface LocatedIssue extends ConfigIssue {
  at: SourcePos;
  /**
   * On a version change, what the version installed on the host says of the same place:
   * `accepts` (the new version would break a config that runs today) or `migrates` (it
   * still rewrites a retired key, in its own words).
   */
  before?: { version: string; verdict: 'accepts' | 'migrates'; message?: string };
}

export interface CheckOptions {
  /** The OpenClaw installed on each host, for agents without a pin (plan); validate has none. */
  hostVersions?: ReadonlyMap<string, string | undefined>;
  /** Told when a version must be fetched first (a one-time download). */
  onFetch?: (version: string, dir: string) => void;
}

/**
 * Every rendered openclaw.json judged by OpenClaw itself, at the version that will run it:
 * the fleet's pin, or (plan, unpinned) the host's installed version. OpenClaw's verdict is
 * the authority: it fills defaults, migrates legacy keys and applies cross-field rules that
 * no schema holds. Each issue is mapped back to the manifest or config file that set it.
 */
export async function checkOpenclawConfigs(manifests: Manifests, desired: DesiredState, opts: CheckOptions = {}): Promise<ConfigCheck[]> {
  const byVersion = new Map<string, { agent: DesiredAgent; from: 'pin' | 'host' }[]>();
  const checks = new Map<string, ConfigCheck>();
  for (const agent of desired.agents) {
    const host = opts.hostVersions?.get(agent.host);
    const version = agent.version ?? host;
    if (!version) {
      const reason = opts.hostVersions ? `no version is pinned and host ${agent.host} has no openclaw installed` : 'no version is pinned; plan checks against the version installed on the host';
      checks.set(agent.name, { agent: agent.name, status: 'not-run', reason, issues: [], warnings: [] });
      continue;
    }
    const from = agent.version ? 'pin' : 'host';
    byVersion.set(version, [...(byVersion.get(version) ?? []), { agent, from }]);
  }
  const sources = indexBy(manifests.agents, (a) => a.manifest.metadata.name);
  for (const [version, agents] of byVersion) {
    const verdicts = await judge(
      version,
      agents.map((a) => a.agent),
      opts,
    );
    agents.forEach(({ agent, from }, i) => {
      const verdict = verdicts[i]!;
      if ('reason' in verdict) {
        checks.set(agent.name, { agent: agent.name, status: 'not-run', version, versionFrom: from, reason: verdict.reason, issues: [], warnings: [] });
        return;
      }
      const layers = configLayers(sources.get(agent.name)!, manifests.fleet);
      const locate = (issue: ConfigIssue): LocatedIssue => ({ ...issue, at: locateIssue(layers, agent.config, issue) });
      checks.set(agent.name, {
        agent: agent.name,
        status: verdict.valid ? 'passed' : 'failed',
        version,
        versionFrom: from,
        issues: verdict.issues.map(locate),
        warnings: verdict.warnings.map(locate),
      });
    });
  }
  await compareWithInstalled(desired, checks, opts);
  return desired.agents.map((a) => checks.get(a.name)!);
}

/**
 * A config the new version refuses, judged again by the version the host runs today: a key
 * that version accepts or migrates is one the upgrade retires, and the plan says which change
 * (or which version still migrates it) gets past it. Only refused configs pay for this.
 */
async function compareWithInstalled(desired: DesiredState, checks: Map<string, ConfigCheck>, opts: CheckOptions): Promise<void> {
  const byInstalled = new Map<string, DesiredAgent[]>();
  for (const agent of desired.agents) {
    const check = checks.get(agent.name)!;
    const installed = opts.hostVersions?.get(agent.host);
    if (check.status !== 'failed' || !installed || installed === check.version) continue;
    byInstalled.set(installed, [...(byInstalled.get(installed) ?? []), agent]);
  }
  for (const [installed, agents] of byInstalled) {
    const verdicts = await judge(installed, agents, opts);
    agents.forEach((agent, i) => {
      const old = verdicts[i]!;
      if ('reason' in old) return;
      const check = checks.get(agent.name)!;
      check.issues = check.issues.map((issue) => {
        if (old.issues.some((o) => o.path === issue.path && o.message === issue.message)) return issue;
        const migration = old.warnings.find((w) => issue.path.startsWith(w.path) || w.path.startsWith(issue.path));
        return { ...issue, before: migration ? { version: installed, verdict: 'migrates', message: migration.message } : { version: installed, verdict: 'accepts' } };
      });
    });
  }
}

/** What OpenClaw is asked of one agent: its config, and the names the host's .env will define. */
export function verdictRequest(agent: DesiredAgent): VerdictRequest {
  // clawctl's own OPENCLAW_* settings are not config references.
  return { config: agent.config, envNames: Object.keys(agent.env).filter((n) => !(n in MANAGED_ENV)) };
}

async function judge(version: string, agents: DesiredAgent[], opts: CheckOptions): Promise<(ConfigVerdict | { reason: string })[]> {
  const requests = agents.map(verdictRequest);
  try {
    const verdicts = await verdictsFor(version, requests, () => ensureToolchain(version, opts.onFetch));
    return 'reason' in verdicts ? agents.map(() => verdicts) : verdicts;
  } catch (err) {
    return agents.map(() => ({ reason: (err as Error).message }));
  }
}

/**
 * Failed checks as errors at the manifest's file:line:col, in OpenClaw's own words; with
 * `requireCheck`, a check that did not run is an error too.
 */
export function configCheckErrors(checks: readonly ConfigCheck[], requireCheck: boolean): ClawctlError | undefined {
  const problems: Diagnostic[] = [];
  for (const c of checks) {
    for (const i of c.issues)
      problems.push({
        pos: i.at,
        message: `agent ${c.agent}: openclaw.json ${i.path || '(root)'}: ${i.message} (OpenClaw ${c.version})`,
        hint: upgradeHint(c.version!, i),
      });
    if (requireCheck && c.status === 'not-run') {
      problems.push({
        message: `agent ${c.agent}: OpenClaw's own config check did not run: ${c.reason}`,
        hint: '--require-openclaw-check refuses an unchecked config: pin spec.openclaw.version in the Fleet, or let clawctl reach the npm registry (or CLAWCTL_NPM_REGISTRY) once',
      });
    }
  }
  return problems.length > 0 ? ClawctlError.of(problems, `${problems.length} openclaw.json problem(s)`) : undefined;
}

function upgradeHint(version: string, issue: LocatedIssue): string {
  const refuses = `OpenClaw ${version}'s own \`openclaw config validate\` refuses this`;
  const b = issue.before;
  if (!b) return refuses;
  if (b.verdict === 'migrates')
    return `${refuses}; OpenClaw ${b.version}, installed now, still migrates it ("${b.message}"): write the key in the form ${b.version} migrates it to and apply that on ${b.version} first, then change the version`;
  return `${refuses}, while OpenClaw ${b.version}, installed now, accepts it: the upgrade retires this key. Change the manifest (apply it on ${b.version} first), then change the version; nothing is installed until the plan passes`;
}

/** A person's account of what was checked: per version how many passed, and each agent not checked. */
export function configCheckSummary(checks: readonly ConfigCheck[]): string[] {
  const lines: string[] = [];
  const passed = new Map<string, number>();
  for (const c of checks) if (c.status === 'passed') passed.set(c.version!, (passed.get(c.version!) ?? 0) + 1);
  for (const [version, n] of passed) lines.push(`OpenClaw ${version}'s own config check passed ${n} agent config(s).`);
  for (const c of checks) if (c.status === 'not-run') lines.push(`OpenClaw's own config check did not run for ${c.agent}: ${c.reason}.`);
  return lines;
}

/** OpenClaw's warnings, each at its place, as compilers print them. */
export function configCheckWarnings(checks: readonly ConfigCheck[]): string[] {
  return checks.flatMap((c) => c.warnings.map((w) => `${formatPos(w.at)}: warning: agent ${c.agent}: openclaw.json ${w.path || '(root)'}: ${w.message} (OpenClaw ${c.version})`));
}

/** Keys OpenClaw moves before it checks, so an issue about the new place is shown at the old one. */
function sourcePath(config: JsonObject, path: DataPath): DataPath {
  const list = valueAt(config, ['agents', 'list']);
  if (path[0] === 'agents' && path[1] === 'entries' && Array.isArray(list)) {
    if (path.length === 2) return ['agents', 'list'];
    const index = list.findIndex((e) => isObject(e) && e.id === path[2]);
    return index >= 0 ? ['agents', 'list', index, ...path.slice(3)] : ['agents', 'list'];
  }
  return path;
}

function locateIssue(layers: readonly ConfigOrigin[], config: JsonObject, issue: ConfigIssue): SourcePos {
  const path = sourcePath(config, dotted(issue.path, config));
  // "Unrecognized key: "x"" names the key, not the object holding it.
  const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(issue.message)?.[1];
  return unknown !== undefined ? locateConfig(layers, [...path, unknown], { key: true }) : locateConfig(layers, path);
}

/**
 * OpenClaw names a place as a dotted path; keys may hold dots themselves (model ids such as
 * "openai/gpt-4.1"), so each step takes the longest run of parts that is a key in the config.
 */
function dotted(path: string, config: JsonObject): DataPath {
  if (path === '') return [];
  const parts = path.split('.');
  const out: (string | number)[] = [];
  let node: unknown = config;
  for (let i = 0; i < parts.length; ) {
    let take = 1;
    if (isObject(node))
      for (let n = parts.length - i; n > 1; n--)
        if (parts.slice(i, i + n).join('.') in node) {
          take = n;
          break;
        }
    const key = parts.slice(i, i + take).join('.');
    const step = /^\d+$/.test(key) && !(isObject(node) && key in node) ? Number(key) : key;
    out.push(step);
    node = valueAt(node, [step]);
    i += take;
  }
  return out;
}
