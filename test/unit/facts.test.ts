import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FactsError, parseFacts } from '../../src/observe/parse-facts.js';
import type { ObservedAgent } from '../../src/observe/observed-state.js';

/** pyinfra-style: the facts parser is pure, so each fixture is a host's stdout and what it means. */
const dir = new URL('../fixtures/facts/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

/** What a fixture states of an agent: env values are secrets, so only their names. */
function shape(a: ObservedAgent) {
  return {
    name: a.name,
    config: a.config && { mode: a.config.mode, value: a.config.value, ...(a.config.parseError ? { parseError: true } : {}) },
    env: a.env && { mode: a.env.mode, names: Object.keys(a.env.entries) },
    health: a.health,
    ...(a.service ? { service: a.service } : {}),
    ...(a.links ? { links: a.links } : {}),
  };
}

describe('facts parser', () => {
  it.each(fixtures)('%s', (name) => {
    const f = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    const parsed = parseFacts(Buffer.from(f.stdout), 'h', f.agents, 'key');
    expect({ openclaw: parsed.openclaw, agents: parsed.agents.map(shape) }).toEqual(f.expected);
  });

  it('refuses output whose file sizes do not add up (a file changed mid-read)', () => {
    const stdout = Buffer.from('CLAWCTL-FACTS 2\nfile 600 99 81a4 .openclaw/.env\nblob\nA=1\n');
    expect(() => parseFacts(stdout, 'h', [{ name: 'a', stateDir: '.openclaw', port: 1 }], 'k')).toThrow(FactsError);
  });

  it('reads the ownership markers apply writes, and ignores lines that are not one', () => {
    const stdout = Buffer.from(
      'CLAWCTL-FACTS 2\nmanaged .openclaw fleet=prod agent=support\nmanaged .openclaw-sales fleet=prod agent=sales\nmanaged .openclaw-x fleet=prod\nmanaged ../etc fleet=prod agent=x\nblob\n',
    );
    expect(parseFacts(stdout, 'h', [], 'k').managed).toEqual([
      { stateDir: '.openclaw', fleet: 'prod', agent: 'support' },
      { stateDir: '.openclaw-sales', fleet: 'prod', agent: 'sales' },
    ]);
  });

  it('refuses output that is not the facts script', () => {
    expect(() => parseFacts(Buffer.from('Welcome to the host!\n'), 'h', [], 'k')).toThrow('unexpected facts output');
  });

  it('changes the fingerprint when a mode, a byte or the version changes, and only then', () => {
    const agents = [{ name: 'a', stateDir: '.openclaw', port: 1 }];
    const fp = (s: string) => parseFacts(Buffer.from(s), 'h', agents, 'k').agents[0]!.fingerprint;
    const base = 'CLAWCTL-FACTS 2\nfile 600 4 81a4 .openclaw/.env\nblob\nA=1\n';
    expect(fp(base)).toBe(fp(base.replace('CLAWCTL-FACTS 2\n', 'CLAWCTL-FACTS 2\nhttp 200 http://127.0.0.1:1/readyz\n')));
    expect(fp(base)).not.toBe(fp(base.replace('file 600', 'file 644')));
    expect(fp(base)).not.toBe(fp(base.replace('A=1', 'A=2')));
  });

  it('keeps secret values out of every rendering of what it observed', () => {
    const parsed = parseFacts(Buffer.from('CLAWCTL-FACTS 2\nfile 600 18 81a4 .openclaw/.env\nblob\nTOKEN=hunter2-xyz\n'), 'h', [{ name: 'a', stateDir: '.openclaw', port: 1 }], 'k');
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
    expect(String(parsed.agents[0]!.env!.entries.TOKEN)).toMatch(/^\(sensitive, sha256:[0-9a-f]{8}\)$/);
    expect(parsed.agents[0]!.env!.entries.TOKEN!.reveal()).toBe('hunter2-xyz');
  });
});
