import type { AgentState } from '../engine/status.js';
import { responseTimes, type HealthSample } from './health-history.js';

/** A slice of an agent's health history: how many cycles found it in each state. */
export interface HealthBucket {
  start: string;
  end: string;
  online: number;
  degraded: number;
  offline: number;
  unknown: number;
  /** The slowest /readyz answer in the slice, in milliseconds, when one was timed. */
  slowestMs?: number;
}

/** The dashboard's chart: the window cut into equal buckets (a cycle every 30 s is ~3000 samples a day, too many to draw or send). */
export interface HealthChart {
  agent: string;
  since: string;
  until: string;
  buckets: HealthBucket[];
  /** Over the whole window: cycles that saw the agent, and the share of them that found it online. */
  samples: number;
  uptime: number;
  /** The most recent changes of state, newest last. */
  transitions: { at: string; from: AgentState; to: AgentState; reason: string }[];
  /** Its gateway's /readyz response times over the window, when any cycle timed one. */
  responseMs?: { median: number; max: number };
}

/** Pure: one agent's samples in [since, until] as `count` buckets of equal length, empty ones included (a gap is a gap). */
export function healthChart(samples: readonly HealthSample[], agent: string, since: Date, until: Date, count: number): HealthChart {
  const from = since.getTime();
  const span = Math.max(1, until.getTime() - from);
  const buckets: HealthBucket[] = Array.from({ length: count }, (_, i) => ({
    start: new Date(from + (span * i) / count).toISOString(),
    end: new Date(from + (span * (i + 1)) / count).toISOString(),
    online: 0,
    degraded: 0,
    offline: 0,
    unknown: 0,
  }));
  const mine = samples.filter((s) => s.agent === agent && Date.parse(s.at) >= from && Date.parse(s.at) <= until.getTime()).sort((a, b) => a.at.localeCompare(b.at));
  for (const s of mine) {
    const i = Math.min(count - 1, Math.floor(((Date.parse(s.at) - from) / span) * count));
    const b = buckets[i]!;
    b[s.state]++;
    if (typeof s.responseMs === 'number' && Number.isFinite(s.responseMs)) b.slowestMs = Math.max(b.slowestMs ?? 0, s.responseMs);
  }
  const response = responseTimes(mine);
  const transitions: HealthChart['transitions'] = [];
  mine.forEach((s, i) => {
    const prev = mine[i - 1];
    if (prev && prev.state !== s.state) transitions.push({ at: s.at, from: prev.state, to: s.state, reason: s.reason });
  });
  return {
    agent,
    since: since.toISOString(),
    until: until.toISOString(),
    buckets,
    samples: mine.length,
    uptime: mine.length === 0 ? 0 : mine.filter((s) => s.state === 'online').length / mine.length,
    transitions: transitions.slice(-20),
    ...(response ? { responseMs: response } : {}),
  };
}
