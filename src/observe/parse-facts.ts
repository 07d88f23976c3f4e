import JSON5 from 'json5';
import { sha256 } from '../util/hash.js';
import { isObject, type JsonObject } from '../util/json.js';
import { Sensitive } from '../util/sensitive.js';
import { parseDotenv } from '../openclaw/dotenv.js';
import type { GatewayHealth, ObservedAgent, ObservedConfig, ObservedEnv } from './observed-state.js';

/** The facts script's output, as printed: every string base64. */
export interface RawFacts {
  format: 1;
  openclaw: { path: string; version: string };
  agents: RawAgentFacts[];
}

interface RawFile {
  mode: string;
  content: string;
}

interface RawHttp {
  code: number;
  body: string;
}

export interface RawAgentFacts {
  config: RawFile | null;
  env: RawFile | null;
  readyz: RawHttp;
  startupz: RawHttp;
  service: string;
}

const fromB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Pure: facts script stdout → what clawctl knows of each agent, in the order they were asked. */
export function parseFacts(
  stdout: string,
  host: string,
  agentNames: readonly string[],
  fleetKey: string,
): { openclaw: { path?: string; version?: string }; agents: ObservedAgent[] } {
  const raw = JSON.parse(stdout) as RawFacts;
  if (raw.format !== 1 || raw.agents.length !== agentNames.length) {
    throw new Error(`unexpected facts from host ${host}: format ${raw.format}, ${raw.agents.length} agents for ${agentNames.length}`);
  }
  const path = fromB64(raw.openclaw.path);
  const version = fromB64(raw.openclaw.version);
  const agents = raw.agents.map((a, i): ObservedAgent => {
    const configText = a.config ? fromB64(a.config.content) : undefined;
    const envText = a.env ? fromB64(a.env.content) : undefined;
    const service = fromB64(a.service);
    return {
      name: agentNames[i]!,
      host,
      config: a.config ? parseConfig(a.config.mode, configText!) : null,
      env: a.env ? parseEnv(a.env.mode, envText!, fleetKey) : null,
      health: parseHealth(a.readyz, a.startupz),
      ...(service ? { service } : {}),
      fingerprint: sha256(
        JSON.stringify([a.config?.mode, configText === undefined ? null : sha256(configText), a.env?.mode, envText === undefined ? null : sha256(envText), version]),
      ),
    };
  });
  return { openclaw: { ...(path ? { path } : {}), ...(version ? { version } : {}) }, agents };
}

function parseConfig(mode: string, text: string): ObservedConfig {
  try {
    // OpenClaw reads JSON5, so a hand-edited file with comments is still a valid config.
    const value = JSON5.parse(text) as unknown;
    if (!isObject(value)) return { mode, value: null, parseError: 'not a JSON object' };
    return { mode, value: value as JsonObject };
  } catch (err) {
    return { mode, value: null, parseError: (err as Error).message };
  }
}

function parseEnv(mode: string, text: string, fleetKey: string): ObservedEnv {
  const entries: Record<string, Sensitive> = {};
  for (const [name, value] of Object.entries(parseDotenv(text))) entries[name] = new Sensitive(value, fleetKey);
  return { mode, entries };
}

export function parseHealth(readyz: RawHttp, startupz: RawHttp): GatewayHealth {
  const version = startupVersion(startupz.body);
  const state: GatewayHealth['state'] = readyz.code === 200 ? 'ready' : readyz.code === 0 ? 'down' : 'not-ready';
  return { state, ...(version ? { version } : {}) };
}

function startupVersion(bodyB64: string): string | undefined {
  try {
    const body = JSON.parse(fromB64(bodyB64)) as unknown;
    if (isObject(body) && typeof body.version === 'string') return body.version;
  } catch {
    // not JSON: an older gateway or something else on the port
  }
  return undefined;
}
