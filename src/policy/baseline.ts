import type { DataPath, SourceDoc } from '../load/source-doc.js';
import type { EnvAction } from '../plan/plan.js';
import type { SourcePos } from '../util/errors.js';
import { valueAt, type JsonObject } from '../util/json.js';
import type { BaselineRuleName, EnvMap, FleetManifest, Sourced } from '../validate/manifests.js';
import { exposure, gatewayBind } from './openclaw-config.js';
import { secretsInConfig, secretsInEnv } from './secret-literals.js';
import { configPos, pathText, type AgentSubject } from './subject.js';
import { locateConfig } from '../desired/config-layers.js';
import type { Finding } from './violation.js';

/**
 * The security posture every fleet gets (policy "baseline"). A Policy turns a rule off for
 * the objects it matches with `disableBaseline: [{rule, reason}]`.
 */
export const BASELINE_RULES: readonly BaselineRuleName[] = ['gateway-bind', 'gateway-auth', 'secret-literals', 'env-file-mode'];

/** Bind modes that keep the gateway off the LAN and the internet; allowedGatewayBinds adds to them. */
export const DEFAULT_GATEWAY_BINDS: readonly string[] = ['loopback', 'tailnet'];

/** The baseline rules judged on an agent's desired state (env-file-mode is judged on plans). */
export function baselineAgentFindings(rule: BaselineRuleName, s: AgentSubject, allowedBinds: readonly string[]): Finding[] {
  switch (rule) {
    case 'gateway-bind': {
      const bind = gatewayBind(s.config);
      if (allowedBinds.includes(bind)) return [];
      return [{ pos: configPos(s, ['gateway', 'bind']), value: bind, detail: `gateway binds "${bind}"; allowed: ${allowedBinds.join(', ')} (a Policy's allowedGatewayBinds can allow more)` }];
    }
    case 'gateway-auth': {
      const why = exposure(s.config);
      if (why === undefined || valueAt(s.config, ['gateway', 'auth', 'mode']) !== 'none') return [];
      return [{ pos: configPos(s, ['gateway', 'auth', 'mode']), value: 'none', detail: `gateway is reachable beyond loopback (${why}) with gateway.auth.mode "none"` }];
    }
    case 'secret-literals': {
      const spec = s.agent.manifest.spec;
      const file = s.agent.configFile;
      const inFile = file ? configSecretFindings(file.data, (path) => locateConfig(file.origins, path), s.config) : [];
      return [...inFile, ...secretFindings(s.agent.source, spec.openclaw?.config, spec.env, ['spec', 'openclaw', 'config'], ['spec', 'env'], s.config)];
    }
    case 'env-file-mode':
      return [];
  }
}

/** Literals in the Fleet's defaults, judged once for the Fleet rather than for each agent that inherits them. */
export function baselineFleetFindings(fleet: Sourced<FleetManifest>): Finding[] {
  const defaults = fleet.manifest.spec.defaults;
  return secretFindings(fleet.source, defaults?.config, defaults?.env, ['spec', 'defaults', 'config'], ['spec', 'defaults', 'env']);
}

/** `effective`: the config the agent runs with, where a provider's baseUrl may come from Fleet defaults. */
function secretFindings(source: SourceDoc, config: JsonObject | undefined, env: EnvMap | undefined, configAt: string[], envAt: string[], effective = config): Finding[] {
  const inConfig = configSecretFindings(config, (path) => source.locate([...configAt, ...path]), effective);
  const inEnv = secretsInEnv(env).map((hit) => ({
    pos: source.locate([...envAt, ...hit.path]),
    value: String(hit.path[0]),
    detail: `env ${String(hit.path[0])} holds a literal that looks like ${hit.what}; use a secretRef`,
  }));
  return [...inConfig, ...inEnv];
}

function configSecretFindings(config: JsonObject | undefined, locate: (path: DataPath) => SourcePos, effective: JsonObject | undefined): Finding[] {
  return secretsInConfig(config, effective).map((hit) => ({
    pos: locate(hit.path),
    value: pathText(hit.path),
    detail: `openclaw.json ${pathText(hit.path)} holds a literal that looks like ${hit.what}; use a SecretRef or \${ENV_VAR}`,
  }));
}

/** .env holds secrets: a plan must never write it readable by group or others. */
export function envModeFinding(action: EnvAction, pos: SourcePos): Finding | undefined {
  const to = action.mode?.to;
  if (to === undefined || (parseInt(to, 8) & 0o077) === 0) return undefined;
  return { pos, value: to, detail: `.env would be written with mode ${to}; it must be 600` };
}
