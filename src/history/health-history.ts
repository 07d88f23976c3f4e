import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentState, AgentStatus } from '../engine/status.js';
import { clawctlStateDir } from '../load/repo-root.js';

/** One agent as one watch or dashboard cycle saw it. */
export interface HealthSample {
  at: string;
  agent: string;
  host: string;
  state: AgentState;
  reason: string;
  /** The running gateway's version, else the installed one. */
  version?: string;
  drift: number;
  /** How long its gateway's /readyz took to answer, in milliseconds (absent when nothing answered). */
  responseMs?: number;
}

/** An agent's change of state between two cycles. */
export interface HealthTransition {
  at: string;
  from: AgentState;
  to: AgentState;
  reason: string;
}

/** `status --since`: an agent's record over the window. */
export interface AgentHistory {
  agent: string;
  /** Cycles that observed it in the window. */
  samples: number;
  /** Share of those cycles (0..1) that found it online. */
  uptime: number;
  first?: string;
  last?: string;
  transitions: HealthTransition[];
  /** Its gateway's /readyz response times over the window, when any cycle timed one. */
  responseMs?: { median: number; max: number };
}

/** Days of samples kept; older day files are deleted as new ones are written. */
export const DEFAULT_RETENTION_DAYS = 14;

export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CLAWCTL_HEALTH_RETENTION_DAYS);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_RETENTION_DAYS;
}

const historyDir = (fleetDir: string) => join(clawctlStateDir(fleetDir), 'state', 'health');
const dayFile = (day: string) => `${day}.jsonl`;

/**
 * Append a cycle's samples to the day's file (one JSON line per agent: an append of a few
 * lines, so a crash loses at most a torn last line, which reading skips), and delete day
 * files past the retention.
 */
export async function recordHealth(fleetDir: string, statuses: readonly AgentStatus[], at: Date, keepDays = retentionDays()): Promise<void> {
  const dir = historyDir(fleetDir);
  await mkdir(dir, { recursive: true });
  const lines = statuses.map((s) => JSON.stringify(sampleOf(s, at))).join('\n');
  if (lines) await appendFile(join(dir, dayFile(at.toISOString().slice(0, 10))), `${lines}\n`, { mode: 0o600 });
  const oldest = new Date(at.getTime() - keepDays * 86_400_000).toISOString().slice(0, 10);
  for (const f of await readdir(dir)) if (/^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f) && f.slice(0, 10) < oldest) await rm(join(dir, f), { force: true });
}

function sampleOf(s: AgentStatus, at: Date): HealthSample {
  const version = s.version.running ?? s.version.installed;
  return {
    at: at.toISOString(),
    agent: s.agent,
    host: s.host,
    state: s.state,
    reason: s.reason,
    ...(version ? { version } : {}),
    drift: s.drift,
    ...(s.responseMs !== undefined ? { responseMs: s.responseMs } : {}),
  };
}

/** Samples at or after `since`, from the day files that can hold them. */
export async function readHealth(fleetDir: string, since: Date): Promise<HealthSample[]> {
  const dir = historyDir(fleetDir);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f) && f.slice(0, 10) >= since.toISOString().slice(0, 10)).sort();
  const out: HealthSample[] = [];
  for (const f of files) {
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) {
      const s = parseSample(line);
      if (s && Date.parse(s.at) >= since.getTime()) out.push(s);
    }
  }
  return out;
}

function parseSample(line: string): HealthSample | undefined {
  try {
    const s = JSON.parse(line) as HealthSample;
    return typeof s.at === 'string' && typeof s.agent === 'string' && typeof s.state === 'string' ? s : undefined;
  } catch {
    return undefined; // a torn last line
  }
}

/** Pure: per agent, in the order asked, its uptime over its samples and each change of state. */
export function summarizeHealth(samples: readonly HealthSample[], agents: readonly string[]): AgentHistory[] {
  return agents.map((agent) => {
    const mine = samples.filter((s) => s.agent === agent).sort((a, b) => a.at.localeCompare(b.at));
    const transitions: HealthTransition[] = [];
    mine.forEach((s, i) => {
      const prev = mine[i - 1];
      if (prev && prev.state !== s.state) transitions.push({ at: s.at, from: prev.state, to: s.state, reason: s.reason });
    });
    const response = responseTimes(mine);
    return {
      agent,
      samples: mine.length,
      uptime: mine.length === 0 ? 0 : mine.filter((s) => s.state === 'online').length / mine.length,
      ...(mine.length > 0 ? { first: mine[0]!.at, last: mine.at(-1)!.at } : {}),
      transitions,
      ...(response ? { responseMs: response } : {}),
    };
  });
}

/** The median and slowest /readyz answer among samples, when any was timed. */
export function responseTimes(samples: readonly HealthSample[]): { median: number; max: number } | undefined {
  const timed = samples.flatMap((s) => (typeof s.responseMs === 'number' && Number.isFinite(s.responseMs) ? [s.responseMs] : []));
  return timed.length === 0 ? undefined : { median: median(timed), max: Math.max(...timed) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** `24h`, `30m`, `7d`, `90s` → milliseconds; undefined when it is none of those. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
