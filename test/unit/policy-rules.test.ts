import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { globMatch, modelRefs } from '../../src/policy/openclaw-config.js';
import { matchEvent, planEvents } from '../../src/policy/plan-actions.js';
import type { PlannedAction } from '../../src/plan/plan.js';
import { isLoopbackUrl } from '../../src/policy/loopback.js';
import { looksSecret, secretsInConfig } from '../../src/policy/secret-literals.js';
import { selects } from '../../src/policy/selector.js';
import { pathText } from '../../src/policy/subject.js';
import { deniedGlobally, explicitAllow } from '../../src/policy/tool-policy.js';
import type { JsonObject, JsonValue } from '../../src/util/json.js';
import type { LabelSelector, PlanActionMatcher } from '../../src/validate/manifests.js';

/** The pieces rules are built from, one table each. */
const table = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/policy/${name}`, import.meta.url), 'utf8')) as T;

describe('label selectors', () => {
  const cases = table<{ case: string; selector?: LabelSelector; labels: Record<string, string>; selected: boolean }[]>('selectors.json');
  it.each(cases)('$case', ({ selector, labels, selected }) => {
    expect(selects(selector, labels)).toBe(selected);
  });
});

describe('secret-looking literals', () => {
  const cases = table<{ name: string; value: string; what: string | null; loopback?: boolean }[]>('secrets.json');
  it.each(cases)('$name = $value (loopback: $loopback): $what', ({ name, value, what, loopback }) => {
    const found = looksSecret(name, value, { loopback: loopback ?? false });
    expect(found ?? null).toBe(what);
    if (found) expect(found).not.toContain(value);
  });
});

describe('loopback URLs: a model server only this machine reaches', () => {
  const cases = table<{ url: JsonValue; loopback: boolean }[]>('loopback-urls.json');
  it.each(cases)('$url: $loopback', ({ url, loopback }) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('secret-looking literals in openclaw.json', () => {
  const cases = table<{ case: string; config: JsonObject; effective?: JsonObject; hits: string[] }[]>('secret-configs.json');
  it.each(cases)('$case', ({ config, effective, hits }) => {
    expect(secretsInConfig(config, effective ?? config).map((h) => `${pathText(h.path)}: ${h.what}`)).toEqual(hits);
  });
});

describe('denied tools', () => {
  const cases = table<{ case: string; tools: JsonObject; agents?: JsonObject; tool: string; denied: boolean; allowedAt?: string | null }[]>('tools.json');
  it.each(cases)('$case', ({ tools, agents, tool, denied, allowedAt }) => {
    const config: JsonObject = { tools, ...(agents ? { agents } : {}) };
    expect(deniedGlobally(config, tool)).toBe(denied);
    if (allowedAt !== undefined) expect(((p) => (p ? pathText(p) : null))(explicitAllow(config, tool))).toBe(allowedAt);
  });
});

describe('model references', () => {
  it('finds every slot, catalog key and channel pin, with aliases resolved', () => {
    const { config, refs } = table<{ config: JsonObject; refs: string[] }>('models.json');
    expect(modelRefs(config).map((r) => `${pathText(r.path)} = ${r.value}${r.key ? ' (key)' : ''}`)).toEqual(refs);
  });

  it.each([
    ['anthropic/*', 'anthropic/claude-opus-4-6', true],
    ['anthropic/*', 'openai/gpt-5', false],
    ['openai/gpt-5*', 'openai/gpt-5.4-mini', true],
    ['openai/gpt-5*', 'openai/*', false],
    ['a.b', 'axb', false],
  ])('glob %s against %s', (pattern, value, match) => {
    expect(globMatch(pattern, value)).toBe(match);
  });
});

describe('plan actions as plan rules name them', () => {
  const cases = table<{ case: string; actions: PlannedAction[]; matchers?: PlanActionMatcher[]; events: string[] }[]>('plan-events.json');
  it.each(cases)('$case', ({ actions, matchers, events }) => {
    const found = planEvents({ agent: 'a', host: 'h', stateDir: '.openclaw', actions }, undefined);
    const selected = found.flatMap((e) => {
      if (!matchers) return [e.kind === 'create' ? 'create' : `${e.kind}: ${e.describe(e.items)}`];
      const items = matchers.map((m) => matchEvent(m, e)).find((i) => i !== undefined);
      return items ? [`${e.kind}: ${e.describe(items)}`] : [];
    });
    expect(selected).toEqual(events);
  });
});
