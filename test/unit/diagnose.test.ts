import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, readinessText } from '../../src/diagnose/analyze.js';
import { parseDiagnoseFacts } from '../../src/diagnose/diagnose-facts.js';
import { redactor } from '../../src/diagnose/redact.js';
import type { DesiredAgent } from '../../src/desired/desired-state.js';
import { Sensitive } from '../../src/util/sensitive.js';
import type { ServiceKind } from '../../src/validate/manifests.js';

interface Fixture {
  service: ServiceKind;
  stdout: string[];
  env?: Record<string, string>;
  expect: { healthy: boolean; steps: Record<string, string>; cause?: string; evidence?: string; absent?: string[] };
}

const dir = join(import.meta.dirname, '../fixtures/diagnose');

/** Table-driven: a diagnose script's output, the analysis it must lead to. No SSH needed. */
describe('diagnose analysis', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s', (file) => {
    const fx = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
    const env = Object.fromEntries(Object.entries(fx.env ?? {}).map(([k, v]) => [k, new Sensitive(v, 'k')]));
    const agent: DesiredAgent = { name: 'bot', host: 'h1', labels: {}, stateDir: '.openclaw', port: 18789, config: {}, env, ignore: [] };
    const result = analyze({ agent, service: fx.service, facts: parseDiagnoseFacts(fx.stdout.join('\n')), redact: redactor(Object.values(env)) });
    expect(result.healthy).toBe(fx.expect.healthy);
    expect(Object.fromEntries(result.steps.filter((s) => s.step in fx.expect.steps).map((s) => [s.step, s.status]))).toEqual(fx.expect.steps);
    if (fx.expect.cause) expect(result.cause?.summary).toContain(fx.expect.cause);
    else expect(result.cause).toBeUndefined();
    if (fx.expect.evidence) expect(result.cause?.evidence[0]).toContain(fx.expect.evidence);
    for (const secret of fx.expect.absent ?? []) expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('refuses output that is not the diagnose script', () => {
    expect(() => parseDiagnoseFacts('hello')).toThrow(/unexpected diagnose output/);
    expect(() => parseDiagnoseFacts('CLAWCTL-DIAGNOSE 1\nuser x 1')).toThrow(/ended early/);
  });
});

describe("what /readyz's body says, in words", () => {
  it.each([
    ['{"ready":false,"failing":["telegram","agent-database:main"]}', 'not ready; failing: telegram, agent-database:main'],
    ['{"status":"starting"}', 'not ready (starting)'],
    ['', 'not ready'],
    ['<html>nginx</html>\nmore', '<html>nginx</html>'],
    [`{"ready":false,${'"x":1,'.repeat(40)}"y":2`, `${`{"ready":false,${'"x":1,'.repeat(40)}"y":2`.slice(0, 119)}…`],
  ])('%s', (body, text) => {
    expect(readinessText(body)).toBe(text);
  });
});
