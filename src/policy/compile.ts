import semver from 'semver';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { SourceDoc } from '../load/source-doc.js';
import { fragmentCompiler } from './fragment-cache.js';
import type { Diagnostic, SourcePos } from '../util/errors.js';
import type { PolicyManifest, PolicyRule, PolicySpec, Sourced } from '../validate/manifests.js';

export const RULE_KINDS = [
  'allowedChannels',
  'allowedModels',
  'allowedProviders',
  'allowedGatewayBinds',
  'deniedTools',
  'requiredLabels',
  'openclawVersion',
  'maxMonthlySpendUsd',
  'schema',
  'denyActions',
  'requireApproval',
  'maxAgentsChanged',
  'budget',
  'humanReview',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface CompiledRule {
  rule: PolicyRule;
  kind: RuleKind;
  /** Where the rule's kind key stands in the policy file (found when first read: it parses the policy's text again). */
  readonly pos: SourcePos;
  /** The compiled fragment, for a `schema` rule. */
  validate?: ValidateFunction;
}

export interface CompiledPolicy {
  name: string;
  spec: PolicySpec;
  source: SourceDoc;
  rules: CompiledRule[];
}

/** Rules ready to evaluate; a rule with a diagnostic is left out of `policies`. */
export interface CompiledPolicies {
  policies: CompiledPolicy[];
  diagnostics: Diagnostic[];
}

export function ruleKind(rule: PolicyRule): RuleKind {
  return RULE_KINDS.find((kind) => kind in rule)!;
}

/**
 * Check what the schema cannot (unique rule names, semver ranges, schema fragments) and
 * compile the fragments (fragment-cache.ts: compiled once, kept as standalone code).
 */
export async function compilePolicies(policies: readonly Sourced<PolicyManifest>[]): Promise<CompiledPolicies> {
  const diagnostics: Diagnostic[] = [];
  const fragments = policies.flatMap((p) => p.manifest.spec.rules.flatMap((r) => ('schema' in r ? [r.schema] : [])));
  const fragmentsCompiler = fragments.length > 0 ? await fragmentCompiler(fragments) : undefined;
  const compiled = policies.map(({ manifest, source }): CompiledPolicy => {
    const seen = new Set<string>();
    const rules: CompiledRule[] = [];
    manifest.spec.rules.forEach((rule, index) => {
      const kind = ruleKind(rule);
      const at = (key: string) => source.locate(['spec', 'rules', index, key]);
      const problem = (message: string, key: string = kind): void => {
        diagnostics.push({ pos: at(key), message: `policy ${manifest.metadata.name}, rule ${rule.name}: ${message}` });
      };
      if (seen.has(rule.name)) return problem('a second rule of this name; rule names are unique within a policy', 'name');
      seen.add(rule.name);
      if ('openclawVersion' in rule && semver.validRange(rule.openclawVersion) === null) return problem(`"${rule.openclawVersion}" is not a semver range`);
      let validate: ValidateFunction | undefined;
      if ('schema' in rule) {
        try {
          validate = fragmentsCompiler!.compile(rule.schema);
        } catch (err) {
          return problem(`the schema does not compile: ${(err as Error).message}`);
        }
      }
      let pos: SourcePos | undefined;
      rules.push({
        rule,
        kind,
        // Only a violation reads it: a fleet that passes never parses its policies' text again.
        get pos() {
          pos ??= source.locate(['spec', 'rules', index, kind], { key: true });
          return pos;
        },
        ...(validate ? { validate } : {}),
      });
    });
    return { name: manifest.metadata.name, spec: manifest.spec, source, rules };
  });
  await fragmentsCompiler?.flush();
  return { policies: compiled, diagnostics };
}
