import { isObject } from '../util/json.js';

/**
 * An agent's spend as OpenClaw itself reports it: `openclaw gateway usage-cost --json --days 31`,
 * which its running gateway computes from the agent's session logs and OpenClaw's model cost
 * table (`models.providers.*.models[].cost`, USD per million tokens). Never an estimate of
 * clawctl's own.
 */
export interface UsageCost {
  /** The gateway's current day (its own day buckets), YYYY-MM-DD. */
  day: string;
  /** Spent on that day, USD. */
  todayUsd: number;
  /** The calendar month of `day`, YYYY-MM. */
  month: string;
  /** Spent in that month so far, USD. */
  monthUsd: number;
  /** Usage entries whose model has no price in OpenClaw's cost table: counted as 0 by OpenClaw. */
  unpricedEntries: number;
  /** OpenClaw's usage cache was still filling when it answered: the totals may be low. */
  partial?: boolean;
}

/** The cost fact: read, or why not (junk output, a gateway that is down, a timeout), never a crash. */
export type AgentCost = ({ state: 'known' } & UsageCost) | { state: 'unknown'; reason: string };

/** Days asked for: a whole calendar month, whatever the day of the month. */
export const USAGE_COST_DAYS = 31;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Sums of money in floating point: to a millionth of a dollar, so 0.1 + 0.2 reads 0.3. */
const usd = (n: number) => Math.round(n * 1e6) / 1e6;

/** Pure: the command's stdout → the agent's cost, or an unknown naming the host and what was wrong. */
export function parseUsageCost(stdout: string, host: string): AgentCost {
  const unknown = (why: string): AgentCost => ({ state: 'unknown', reason: `host ${host}: ${why}` });
  const start = stdout.indexOf('{');
  let doc: unknown;
  try {
    doc = JSON.parse(start < 0 ? stdout : stdout.slice(start));
  } catch {
    return unknown(`openclaw gateway usage-cost answered something that is not JSON: ${JSON.stringify(stdout.trim().slice(0, 80))}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.daily)) return unknown('openclaw gateway usage-cost answered JSON without its daily totals');
  const days: { date: string; cost: number; unpriced: number }[] = [];
  for (const d of doc.daily) {
    if (!isObject(d) || typeof d.date !== 'string' || !DAY.test(d.date) || typeof d.totalCost !== 'number' || !Number.isFinite(d.totalCost) || d.totalCost < 0)
      return unknown('openclaw gateway usage-cost answered a day without a date and a cost');
    const unpriced = typeof d.missingCostEntries === 'number' && Number.isFinite(d.missingCostEntries) ? d.missingCostEntries : 0;
    days.push({ date: d.date, cost: d.totalCost, unpriced });
  }
  const today = days.reduce<(typeof days)[number] | undefined>((last, d) => (!last || d.date > last.date ? d : last), undefined);
  if (!today) return unknown('openclaw gateway usage-cost answered no day');
  const month = today.date.slice(0, 7);
  const inMonth = days.filter((d) => d.date.startsWith(month));
  const cache = isObject(doc.cacheStatus) ? doc.cacheStatus.status : undefined;
  return {
    state: 'known',
    day: today.date,
    todayUsd: usd(today.cost),
    month,
    monthUsd: usd(inMonth.reduce((n, d) => n + d.cost, 0)),
    unpricedEntries: inMonth.reduce((n, d) => n + d.unpriced, 0),
    ...(typeof cache === 'string' && cache !== 'fresh' ? { partial: true } : {}),
  };
}

/** `$0.05`, `$12.30`: cents, or a tenth of a cent below one cent, so a small spend is not shown as nothing. */
export function formatUsd(n: number): string {
  return n > 0 && n < 0.01 ? `$${n.toFixed(3)}` : `$${n.toFixed(2)}`;
}
