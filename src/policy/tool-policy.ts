import type { DataPath } from '../load/source-doc.js';
import { isObject, valueAt, type JsonObject } from '../util/json.js';
import { globMatch } from './openclaw-config.js';

/** OpenClaw 2026.9's tool groups (docs: gateway/config-tools/tool-policy), so `deny: [group:runtime]` covers exec. */
const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'group:runtime': ['exec', 'process', 'code_execution', 'bash'],
  'group:fs': ['read', 'write', 'edit', 'apply_patch'],
  'group:sessions': [
    'sessions',
    'sessions_list',
    'sessions_history',
    'sessions_search',
    'conversations_list',
    'conversations_send',
    'conversations_turn',
    'sessions_send',
    'sessions_spawn',
    'sessions_yield',
    'subagents',
    'session_status',
    'suggest_task',
    'dismiss_task',
  ],
  'group:memory': ['memory_search', 'memory_get'],
  'group:web': ['web_search', 'x_search', 'web_fetch'],
  'group:ui': ['browser', 'screen', 'theme', 'dashboard', 'terminal', 'portal', 'canvas', 'show_widget'],
  'group:automation': ['heartbeat_respond', 'automations', 'cron', 'gateway', 'plugins', 'openclaw'],
  'group:messaging': ['message'],
  'group:nodes': ['nodes', 'computer'],
  'group:agents': ['agents_list', 'get_goal', 'create_goal', 'update_goal', 'progress_card', 'ask_user', 'skill_workshop'],
  'group:media': ['view_image', 'image_generate', 'music_generate', 'video_generate', 'tts', 'pdf'],
};

/** Entries of a tools list: case-insensitive, `*` wildcards, groups expanded. */
function covers(entry: string, tool: string): boolean {
  const e = entry.toLowerCase();
  return e === tool || globMatch(e, tool) || (TOOL_GROUPS[e]?.includes(tool) ?? false);
}

/** A tools list, non-strings as empty strings so indexes stay those of the file. */
function listAt(config: JsonObject, path: DataPath): string[] {
  const list = valueAt(config, path);
  return Array.isArray(list) ? list.map((x) => (typeof x === 'string' ? x : '')) : [];
}

/**
 * A denied tool must be covered by the global `tools.deny`: deny wins over every allow layer
 * and reaches every agent of the installation, so nothing else can re-enable it. A group
 * is denied when each of its tools is.
 */
export function deniedGlobally(config: JsonObject, tool: string): boolean {
  const deny = listAt(config, ['tools', 'deny']);
  const members = TOOL_GROUPS[tool.toLowerCase()] ?? [tool.toLowerCase()];
  return deny.some((e) => e.toLowerCase() === tool.toLowerCase()) || members.every((t) => deny.some((e) => covers(e, t)));
}

/** Where the config explicitly allows a tool (global or per-agent allow / alsoAllow), if it does. */
export function explicitAllow(config: JsonObject, tool: string): DataPath | undefined {
  const scopes: DataPath[] = [['tools']];
  const entries = valueAt(config, ['agents', 'entries']);
  if (isObject(entries)) scopes.push(...Object.keys(entries).map((id) => ['agents', 'entries', id, 'tools']));
  const members = TOOL_GROUPS[tool.toLowerCase()] ?? [tool.toLowerCase()];
  for (const scope of scopes) {
    for (const list of ['allow', 'alsoAllow']) {
      const i = listAt(config, [...scope, list]).findIndex((e) => e !== '' && (e.toLowerCase() === tool.toLowerCase() || members.some((t) => covers(e, t))));
      if (i >= 0) return [...scope, list, i];
    }
  }
  return undefined;
}
