import { pointerToPath } from '../util/json.js';
import semver from 'semver';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { DataPath } from '../load/source-doc.js';
import type { HostManifest, PolicyRule, Sourced } from '../validate/manifests.js';
import type { CompiledRule } from './compile.js';
import { channelTypes, globMatch, modelRefs, providerOf, type ConfigRef } from './openclaw-config.js';
import { agentPos, configPos, envPos, pathText, versionPos, type AgentSubject } from './subject.js';
import { deniedGlobally, explicitAllow } from './tool-policy.js';
import type { Finding } from './violation.js';

/** Where an agent declares what it may spend a month, in US dollars (Agent has no spec field for it). */
export const BUDGET_ANNOTATION = 'clawctl.dev/monthly-budget-usd';

/** What one desired-state rule finds on one agent; plan rules and allowedGatewayBinds find nothing here. */
export function agentFindings({ rule, validate }: CompiledRule, s: AgentSubject): Finding[] {
  if ('allowedChannels' in rule) return notAllowed(s, channelTypes(s.config), rule.allowedChannels, (v) => `channel "${v}"`);
  if ('allowedModels' in rule) return notAllowed(s, modelRefs(s.config), rule.allowedModels, (v) => `model "${v}"`);
  if ('allowedProviders' in rule) return providerFindings(s, rule.allowedProviders);
  if ('deniedTools' in rule) return toolFindings(s, rule.deniedTools);
  if ('requiredLabels' in rule) return missingLabels(s.labels, rule.requiredLabels, (path) => agentPos(s, path));
  if ('openclawVersion' in rule) return versionFindings(s, rule.openclawVersion);
  if ('maxMonthlySpendUsd' in rule) return budgetFindings(s, rule.maxMonthlySpendUsd);
  if (validate) return validate(schemaDocument(s)) ? [] : schemaFindings(s, validate.errors ?? []);
  return [];
}

/** Hosts carry labels and nothing else a rule reads. */
export function hostFindings(rule: PolicyRule, host: Sourced<HostManifest>): Finding[] {
  if (!('requiredLabels' in rule)) return [];
  return missingLabels(host.manifest.metadata.labels ?? {}, rule.requiredLabels, (path) => host.source.locate(path));
}

function notAllowed(s: AgentSubject, refs: ConfigRef[], allowed: string[], what: (v: string) => string): Finding[] {
  return refs
    .filter((r) => !allowed.some((p) => globMatch(p, r.value)))
    .map((r) => ({ pos: configPos(s, r.path, { key: r.key === true }), value: r.value, detail: `${what(r.value)} is not allowed (allowed: ${shown(allowed)})` }));
}

function providerFindings(s: AgentSubject, allowed: string[]): Finding[] {
  const out: Finding[] = [];
  for (const ref of modelRefs(s.config)) {
    const provider = providerOf(ref.value);
    if (provider !== undefined && allowed.includes(provider)) continue;
    const pos = configPos(s, ref.path, { key: ref.key === true });
    out.push(
      provider === undefined
        ? { pos, value: ref.value, detail: `model "${ref.value}" names no provider; write it as provider/model` }
        : { pos, value: provider, detail: `provider "${provider}" (model "${ref.value}") is not allowed (allowed: ${shown(allowed)})` },
    );
  }
  return out;
}

function toolFindings(s: AgentSubject, denied: string[]): Finding[] {
  return denied
    .filter((tool) => !deniedGlobally(s.config, tool))
    .map((tool) => {
      const allowedAt = explicitAllow(s.config, tool);
      if (allowedAt) return { pos: configPos(s, allowedAt), value: tool, detail: `tool "${tool}" is allowed at ${pathText(allowedAt)}; it must be denied in tools.deny` };
      return { pos: configPos(s, ['tools', 'deny']), value: tool, detail: `tool "${tool}" is not denied in tools.deny` };
    });
}

function missingLabels(labels: Record<string, string>, required: string[], locate: (path: DataPath) => Finding['pos']): Finding[] {
  return required.filter((key) => !Object.hasOwn(labels, key)).map((key) => ({ pos: locate(['metadata', 'labels']), value: key, detail: `has no label "${key}"` }));
}

function versionFindings(s: AgentSubject, range: string): Finding[] {
  const pos = versionPos(s);
  if (s.version === undefined) return [{ pos, value: '(none)', detail: `pins no OpenClaw version; the policy requires ${range}` }];
  if (semver.satisfies(s.version, range)) return [];
  return [{ pos, value: s.version, detail: `OpenClaw ${s.version} is outside "${range}"` }];
}

function budgetFindings(s: AgentSubject, cap: number): Finding[] {
  const declared = s.annotations[BUDGET_ANNOTATION];
  const pos = agentPos(s, ['metadata', 'annotations', BUDGET_ANNOTATION]);
  if (declared === undefined) return [{ pos, value: '(none)', detail: `declares no monthly budget (annotation ${BUDGET_ANNOTATION}); the cap is $${cap}` }];
  const budget = Number(declared);
  if (declared.trim() === '' || !Number.isFinite(budget)) return [{ pos, value: declared, detail: `${BUDGET_ANNOTATION} "${declared}" is not a number of US dollars` }];
  return budget > cap ? [{ pos, value: declared, detail: `monthly budget $${declared} exceeds the cap of $${cap}` }] : [];
}

/** What a `schema` rule sees: the rendered agent, env by name only (values may be secrets). */
function schemaDocument(s: AgentSubject): Record<string, unknown> {
  return {
    name: s.name,
    host: s.agent.manifest.spec.host,
    labels: s.labels,
    annotations: s.annotations,
    ...(s.version ? { version: s.version } : {}),
    config: s.config,
    env: envNames(s),
  };
}

function envNames(s: AgentSubject): string[] {
  return [...new Set([...Object.keys(s.fleet.manifest.spec.defaults?.env ?? {}), ...Object.keys(s.agent.manifest.spec.env ?? {})])].sort();
}

function schemaFindings(s: AgentSubject, errors: readonly ErrorObject[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const err of errors) {
    if (err.keyword === 'if') continue; // its branch's own error says what failed
    const path = pointerToPath(err.instancePath);
    const where = path.length > 0 ? pathText(path) : 'agent';
    const detail = `${where} ${err.message ?? 'is invalid'}`.replace(/must have required property '([^']+)'/, 'is missing "$1"');
    if (seen.has(detail)) continue;
    seen.add(detail);
    out.push({ pos: schemaPos(s, path), value: where, detail });
  }
  return out;
}

function schemaPos(s: AgentSubject, [head, ...rest]: (string | number)[]): Finding['pos'] {
  switch (head) {
    case 'config':
      return configPos(s, rest);
    case 'labels':
    case 'annotations':
      return agentPos(s, ['metadata', head, ...rest]);
    case 'env':
      return typeof rest[0] === 'number' ? envPos(s, envNames(s)[rest[0]] ?? '') : agentPos(s, ['spec', 'env']);
    case 'version':
      return versionPos(s);
    case 'host':
      return agentPos(s, ['spec', 'host']);
    default:
      return agentPos(s, ['metadata', 'name']);
  }
}

function shown(list: string[]): string {
  return list.length > 0 ? list.join(', ') : 'none';
}
