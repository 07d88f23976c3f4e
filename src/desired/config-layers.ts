import type { ConfigOrigin } from '../load/config-file.js';
import type { DataPath } from '../load/source-doc.js';
import type { SourcePos } from '../util/errors.js';
import { deepMerge, valueAt, type JsonObject } from '../util/json.js';
import type { FleetManifest, Sourced, SourcedAgent } from '../validate/manifests.js';

/**
 * The layers an agent's openclaw.json is merged from, lowest first: the Fleet's defaults,
 * the agent's configFile (with its includes), the agent's inline config.
 */
export function configLayers(agent: SourcedAgent, fleet: Sourced<FleetManifest>): ConfigOrigin[] {
  return [
    { doc: fleet.source, docPath: ['spec', 'defaults', 'config'], configPath: [] },
    ...(agent.configFile?.origins ?? []),
    { doc: agent.source, docPath: ['spec', 'openclaw', 'config'], configPath: [] },
  ];
}

/** The rendered openclaw.json: the layers' data deep-merged in order. */
export function renderConfig(agent: SourcedAgent, fleet: Sourced<FleetManifest>): JsonObject {
  const withFile = deepMerge(fleet.manifest.spec.defaults?.config ?? {}, agent.configFile?.data ?? {});
  return deepMerge(withFile, agent.manifest.spec.openclaw?.config ?? {});
}

/**
 * Where a path of the rendered config was written: in the highest layer that sets it, else
 * at the deepest part of it that some layer sets (a key OpenClaw reports as missing belongs
 * to the object that lacks it), else at the agent's config.
 */
export function locateConfig(layers: readonly ConfigOrigin[], path: DataPath, opts?: { key?: boolean }): SourcePos {
  let best: { origin: ConfigOrigin; rest: DataPath; depth: number } | undefined;
  for (const origin of [...layers].reverse()) {
    const { configPath, doc, docPath } = origin;
    if (configPath.length > path.length || configPath.some((k, i) => String(k) !== String(path[i]))) continue;
    const rest = path.slice(configPath.length);
    const base = valueAt(doc.data, docPath);
    if (base === undefined) continue;
    let depth = 0;
    while (depth < rest.length && valueAt(base, rest.slice(0, depth + 1)) !== undefined) depth++;
    if (depth === rest.length) return doc.locate([...docPath, ...rest], opts);
    if (!best || configPath.length + depth > best.origin.configPath.length + best.depth) best = { origin, rest, depth };
  }
  const fallback = best ?? { origin: layers[layers.length - 1]!, rest: [], depth: 0 };
  return fallback.origin.doc.locate([...fallback.origin.docPath, ...fallback.rest.slice(0, fallback.depth)]);
}
