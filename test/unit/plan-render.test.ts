import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAN_FORMAT_VERSION, summarize, type Plan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render-text.js';

/**
 * Golden text: `renderPlanText` is built only from the plan's JSON form, so each fixture is a
 * plan (what `plan --json` prints, the parts it needs) and the exact text, one line per entry.
 * Parts a fixture leaves out are empty; its summary, if left out, is counted from its changes.
 */
const dir = new URL('../fixtures/plan-render/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

function planOf(p: Partial<Plan>): Plan {
  const changes = p.changes ?? [];
  const hosts = p.hosts ?? [];
  return {
    format_version: PLAN_FORMAT_VERSION,
    clawctl_version: '0.1.0',
    created_at: '2026-12-01T12:00:00.000Z',
    fleet: { name: 'prod', dir: 'fleet' },
    unreachable: [],
    config_checks: [],
    fingerprint: { fleet: 'sha256:0', files: {}, agents: {}, writes: {} },
    ...p,
    changes,
    hosts,
    waves: p.waves ?? [],
    summary: p.summary ?? summarize(changes, hosts),
    policy: { violations: [], optOuts: [], approved: [], ...p.policy },
  };
}

describe('plan as text', () => {
  it.each(fixtures)('%s', (file) => {
    const f = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    const text = renderPlanText(planOf(f.plan));
    expect(text.split('\n')).toEqual(f.expected);
  });
});
