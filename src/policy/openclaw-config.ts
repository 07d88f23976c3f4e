import type { DataPath } from '../load/source-doc.js';
import { isObject, type JsonObject, type JsonValue } from '../util/json.js';
import { valueAt } from '../util/json.js';

/**
 * Readers over a rendered openclaw.json (OpenClaw 2026.9 config reference): where channels,
 * model references and the gateway's exposure live.
 */
export interface ConfigRef {
  path: DataPath;
  value: string;
  /** The value is the key at `path` (a channel, a catalog entry), not the value there. */
  key?: boolean;
}

/** Keys of `channels` that configure every channel rather than being one. */
const CHANNEL_SETTINGS = new Set(['defaults', 'modelByChannel']);

/** A channel starts when its section exists, unless `enabled: false`. */
export function channelTypes(config: JsonObject): ConfigRef[] {
  const channels = config.channels;
  if (!isObject(channels)) return [];
  return Object.entries(channels)
    .filter(([type, section]) => !CHANNEL_SETTINGS.has(type) && !(isObject(section) && section.enabled === false))
    .map(([type]) => ({ path: ['channels', type], value: type, key: true }));
}

/** Per-agent keys (defaults and each agents.entries.<id>) that hold a model ref or {primary, fallbacks}. */
const MODEL_SLOTS = ['model', 'utilityModel', 'imageModel', 'pdfModel'];

/**
 * Every model the config can route to: default and per-agent slots, media models, the model
 * catalog (its keys), and per-channel pins. Aliases are resolved through the catalog.
 */
export function modelRefs(config: JsonObject): ConfigRef[] {
  const refs: ConfigRef[] = [];
  const scopes: DataPath[] = [['agents', 'defaults']];
  const entries = valueAt(config, ['agents', 'entries']);
  if (isObject(entries)) scopes.push(...Object.keys(entries).map((id) => ['agents', 'entries', id]));
  for (const scope of scopes) {
    for (const slot of MODEL_SLOTS) slotRefs(config, [...scope, slot], refs);
    const media = valueAt(config, [...scope, 'mediaModels']);
    if (isObject(media)) for (const kind of Object.keys(media)) slotRefs(config, [...scope, 'mediaModels', kind], refs);
    const catalog = valueAt(config, [...scope, 'models']);
    if (isObject(catalog)) refs.push(...Object.keys(catalog).map((ref) => ({ path: [...scope, 'models', ref], value: ref, key: true })));
  }
  const pins = valueAt(config, ['channels', 'modelByChannel']);
  if (isObject(pins)) {
    for (const [channel, byId] of Object.entries(pins)) {
      if (!isObject(byId)) continue;
      for (const [id, ref] of Object.entries(byId)) if (typeof ref === 'string') refs.push({ path: ['channels', 'modelByChannel', channel, id], value: ref });
    }
  }
  const aliases = aliasTable(config);
  return refs.map((r) => ({ ...r, value: aliases.get(r.value) ?? r.value }));
}

/** The model every agent of the config runs by default: agents.defaults.model (or its primary), aliases resolved. */
export function primaryModel(config: JsonObject): ConfigRef | undefined {
  const refs: ConfigRef[] = [];
  slotRefs(config, ['agents', 'defaults', 'model'], refs);
  const primary = refs[0];
  return primary && { ...primary, value: aliasTable(config).get(primary.value) ?? primary.value };
}

function slotRefs(config: JsonObject, path: DataPath, out: ConfigRef[]): void {
  const slot = valueAt(config, path);
  if (typeof slot === 'string') out.push({ path, value: slot });
  if (!isObject(slot)) return;
  if (typeof slot.primary === 'string') out.push({ path: [...path, 'primary'], value: slot.primary });
  if (Array.isArray(slot.fallbacks)) {
    slot.fallbacks.forEach((ref: JsonValue, i) => typeof ref === 'string' && out.push({ path: [...path, 'fallbacks', i], value: ref }));
  }
}

function aliasTable(config: JsonObject): Map<string, string> {
  const catalog = valueAt(config, ['agents', 'defaults', 'models']);
  const table = new Map<string, string>();
  if (isObject(catalog)) for (const [ref, entry] of Object.entries(catalog)) if (isObject(entry) && typeof entry.alias === 'string') table.set(entry.alias, ref);
  return table;
}

/** `provider/model` → provider; a bare id names none. */
export function providerOf(ref: string): string | undefined {
  const slash = ref.indexOf('/');
  return slash > 0 ? ref.slice(0, slash) : undefined;
}

/** `*` matches any run of characters, `/` included. */
export function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/** OpenClaw's gateway.bind mode; unset means loopback (outside a container). */
export function gatewayBind(config: JsonObject): string {
  const mode = valueAt(config, ['gateway', 'bind']);
  return typeof mode === 'string' ? mode : 'loopback';
}

/** Why the gateway can be reached from beyond its host, or undefined when it cannot. */
export function exposure(config: JsonObject): string | undefined {
  const bind = gatewayBind(config);
  const loopbackCustom = bind === 'custom' && valueAt(config, ['gateway', 'customBindHost']) === '127.0.0.1';
  if (bind !== 'loopback' && !loopbackCustom) return `it binds "${bind}"`;
  if (valueAt(config, ['gateway', 'tailscale', 'mode']) === 'funnel') return 'Tailscale Funnel publishes it';
  return undefined;
}
