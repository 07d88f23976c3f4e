import type { WaveSpec } from '../validate/manifests.js';
import type { PlanWave } from './plan.js';

/** The name of the wave that takes the hosts no configured wave took. */
const REST = 'rest';

/**
 * Pure: which hosts go in which canary wave. A selector wave takes the hosts whose labels it
 * names; a percent wave takes hosts, by name, until that share of all the hosts with changes
 * (rounded up) is reached, earlier waves included, as Argo Rollouts' steps count weight. The
 * hosts left go in a last wave. No waves configured: one wave of every host.
 */
export function planWaves(specs: readonly WaveSpec[], hosts: readonly { name: string; labels: Record<string, string> }[]): PlanWave[] {
  let left = [...hosts].sort((a, b) => a.name.localeCompare(b.name));
  const total = left.length;
  const waves: PlanWave[] = [];
  for (const spec of specs) {
    let take: typeof left;
    if (spec.selector) {
      const selector = spec.selector;
      take = left.filter((h) => Object.entries(selector).every(([k, v]) => h.labels[k] === v));
    } else {
      const taken = total - left.length;
      take = left.slice(0, Math.max(0, Math.ceil(((spec.percent ?? 100) * total) / 100) - taken));
    }
    const names = new Set(take.map((h) => h.name));
    left = left.filter((h) => !names.has(h.name));
    waves.push({ name: spec.name, hosts: take.map((h) => h.name), soakSeconds: spec.soakSeconds ?? 0 });
  }
  if (left.length > 0 || waves.length === 0) {
    const name = waves.some((w) => w.name === REST) ? `${REST}-of-fleet` : REST;
    waves.push({ name, hosts: left.map((h) => h.name), soakSeconds: 0 });
  }
  return waves;
}
