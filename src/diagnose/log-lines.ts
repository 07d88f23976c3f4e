import { isObject } from '../util/json.js';

/** One log line, whatever wrote it: OpenClaw's JSON lines, or plain text from the journal. */
export interface LogLine {
  level?: string;
  time?: string;
  text: string;
}

/**
 * OpenClaw's file log is JSON lines (tslog-style: numbered message parts, `_meta` with the
 * level and date); the journal is plain text. Both become "level text".
 */
export function parseLogLine(raw: string): LogLine {
  const line = raw.trim();
  if (!line.startsWith('{')) return { text: line, ...levelOf(line) };
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (!isObject(o)) return { text: line };
  const meta = isObject(o._meta) ? o._meta : {};
  const level = str(o.level) ?? str(meta.logLevelName) ?? str(o.logLevelName);
  const time = str(o.time) ?? str(meta.date) ?? str(o.date);
  const parts = Object.keys(o)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => (typeof o[k] === 'string' ? o[k] : JSON.stringify(o[k])));
  // Multi-line messages (OpenClaw's hints) stay one evidence line.
  const text = [str(o.subsystem) && `[${str(o.subsystem)}]`, ...(parts.length > 0 ? parts : [str(o.msg) ?? str(o.message) ?? line])]
    .filter(Boolean)
    .join(' ')
    .replace(/\s*\n\s*/g, ' / ');
  return { text, ...(level ? { level: level.toLowerCase() } : {}), ...(time ? { time } : {}) };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function levelOf(line: string): { level?: string } {
  const m = /\b(fatal|error|warn(?:ing)?)\b/i.exec(line);
  return m ? { level: m[1]!.toLowerCase().replace('warning', 'warn') } : {};
}

export function isProblem(l: LogLine): boolean {
  return l.level === 'error' || l.level === 'fatal' || l.level === 'warn';
}
