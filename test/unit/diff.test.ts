import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DesiredAgent, DesiredHost } from '../../src/desired/desired-state.js';
import { diffAgent } from '../../src/diff/diff-agent.js';
import { storedCronJob } from '../../src/import/cron-jobs.js';
import type { ObservedAgent } from '../../src/observe/observed-state.js';
import { Sensitive } from '../../src/util/sensitive.js';

/** pyinfra-style: an operation is a pure function of desired state and facts, so each fixture is one case. */
const dir = new URL('../fixtures/diff/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));
const KEY = 'fleet-key';
const secrets = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, new Sensitive(v, KEY)]));

describe('diff of one agent', () => {
  it.each(fixtures)('%s', (name) => {
    const f = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    const desired: DesiredAgent = {
      name: 'a',
      host: 'h',
      labels: {},
      stateDir: '.openclaw',
      port: 18789,
      config: f.desired.config,
      env: secrets(f.desired.env),
      ignore: f.desired.ignore ?? [],
      ...(f.desired.version ? { version: f.desired.version } : {}),
      ...(f.desired.cron ? { cron: f.desired.cron } : {}),
    };
    const host: DesiredHost = { name: 'h', labels: {}, connection: { kind: 'local', home: '/nowhere' }, service: f.service, commandTimeoutSeconds: 120 };
    const observed: ObservedAgent = {
      name: 'a',
      host: 'h',
      fingerprint: 'x',
      config: f.observed.config,
      env: f.observed.env && { mode: f.observed.env.mode, entries: secrets(f.observed.env.entries) },
      health: { state: f.observed.health },
      ...(f.observed.service ? { service: f.observed.service } : {}),
      ...(f.observed.prevEnv ? { prevEnv: true } : {}),
      ...(f.observed.restartCutOff ? { restartCutOff: true } : {}),
      ...(f.observed.cron ? { cron: (f.observed.cron as unknown[]).flatMap((j) => storedCronJob(j) ?? []) } : {}),
    };
    const actions = diffAgent(desired, host, observed, f.installed ?? undefined);
    const shown = JSON.stringify(actions);
    for (const value of [...Object.values<string>(f.desired.env), ...Object.values<string>(f.observed.env?.entries ?? {})]) {
      expect(shown).not.toContain(`"${value}"`);
    }
    expect(JSON.parse(shown.replace(/\(sensitive, sha256:[0-9a-f]{8}\)/g, '(sensitive)'))).toEqual(f.expected);
  });
});
