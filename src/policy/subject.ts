import type { DesiredAgent } from '../desired/desired-state.js';
import type { DataPath } from '../load/source-doc.js';
import type { SourcePos } from '../util/errors.js';
import type { FleetManifest, Sourced, SourcedAgent } from '../validate/manifests.js';
import { configLayers, locateConfig } from '../desired/config-layers.js';

/** An agent as rules see it: its rendered config, and the manifests it came from for positions. */
export interface AgentSubject {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  config: DesiredAgent['config'];
  version?: string;
  agent: SourcedAgent;
  fleet: Sourced<FleetManifest>;
}

export function agentSubject(agent: SourcedAgent, fleet: Sourced<FleetManifest>, rendered: Pick<DesiredAgent, 'config' | 'version'>): AgentSubject {
  const { metadata } = agent.manifest;
  return {
    name: metadata.name,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    config: rendered.config,
    ...(rendered.version ? { version: rendered.version } : {}),
    agent,
    fleet,
  };
}

/** A config path as people write it: tools.allow[0]. */
export function pathText(path: DataPath): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/**
 * Where a rendered config value was written: the agent's own config, its configFile (or an
 * include of it), or the Fleet's defaults, whichever layer sets it last.
 */
export function configPos(s: AgentSubject, path: DataPath, opts?: { key?: boolean }): SourcePos {
  return locateConfig(configLayers(s.agent, s.fleet), path, opts);
}

export function envPos(s: AgentSubject, name: string): SourcePos {
  if (s.agent.manifest.spec.env?.[name] === undefined && s.fleet.manifest.spec.defaults?.env?.[name] !== undefined) {
    return s.fleet.source.locate(['spec', 'defaults', 'env', name]);
  }
  return s.agent.source.locate(['spec', 'env', name]);
}

export function versionPos(s: AgentSubject): SourcePos {
  if (s.agent.manifest.spec.openclaw?.version === undefined && s.fleet.manifest.spec.openclaw?.version !== undefined) {
    return s.fleet.source.locate(['spec', 'openclaw', 'version']);
  }
  return s.agent.source.locate(['spec', 'openclaw', 'version']);
}

export function agentPos(s: AgentSubject, path: DataPath, opts?: { key?: boolean }): SourcePos {
  return s.agent.source.locate(path, opts);
}
