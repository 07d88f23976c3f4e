import { readdirSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
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
    ...(a.cron ? { cron: a.cron } : {}),
    ...(a.cost ? { cost: a.cost } : {}),
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

  it("fails the host when an agent's cron jobs could not be read, saying why: they are never planned blind", () => {
    const stdout = Buffer.from("CLAWCTL-FACTS 2\ncronerr .openclaw no node on PATH to read OpenClaw's cron jobs with\nblob\n");
    expect(() => parseFacts(stdout, 'h', [{ name: 'a', stateDir: '.openclaw', port: 1 }], 'k')).toThrow(
      "host h: OpenClaw's cron jobs in ~/.openclaw could not be read: no node on PATH to read OpenClaw's cron jobs with",
    );
    const garbled = Buffer.from('CLAWCTL-FACTS 2\ncron .openclaw bm90IGpzb24=\nblob\n');
    expect(() => parseFacts(garbled, 'h', [{ name: 'a', stateDir: '.openclaw', port: 1 }], 'k')).toThrow('the cron jobs arrived garbled');
  });

  it('changes the fingerprint when a cron job changes', () => {
    const agents = [{ name: 'a', stateDir: '.openclaw', port: 1 }];
    const fp = (s: string) => parseFacts(Buffer.from(s), 'h', agents, 'k').agents[0]!.fingerprint;
    const jobs = (message: string) => Buffer.from(JSON.stringify([{ id: 'j1', name: 'x', schedule: { kind: 'every', everyMs: 60000 }, payload: { kind: 'agentTurn', message } }])).toString('base64');
    const base = 'CLAWCTL-FACTS 2\nfile 600 4 81a4 .openclaw/.env\nblob\nA=1\n';
    const withJobs = (m: string) => base.replace('CLAWCTL-FACTS 2\n', `CLAWCTL-FACTS 2\ncron .openclaw ${jobs(m)}\n`);
    expect(fp(withJobs('a'))).not.toBe(fp(withJobs('b')));
    expect(fp(withJobs('a'))).not.toBe(fp(base));
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

describe('facts through the observation gate', () => {
  const agents = [{ name: 'a', stateDir: '.openclaw', port: 1 }];
  const keyed = 'CLAWCTL-FACTS 2\nobserver 0123456789abcdef 1\nfile 600 10 81a4 .openclaw/.env\nblob\nTOKEN=abc\n';
  const hmac = (v: string) => createHmac('sha256', 'k').update(v).digest('hex');
  const gated = `CLAWCTL-FACTS 2\nobserver 0123456789abcdef 1\nenvfile 600 10 81a4 .openclaw/.env\nenvhash .openclaw/.env TOKEN ${hmac('abc')}\nblob\n`;

  it('sees the same .env, by keyed hash, as a key that reads it out: same entries, same fingerprint', () => {
    const a = parseFacts(Buffer.from(keyed), 'h', agents, 'k');
    const b = parseFacts(Buffer.from(gated), 'h', agents, 'k');
    expect(b.agents[0]!.env!.entries.TOKEN!.known).toBe(false);
    expect(b.agents[0]!.env!.entries.TOKEN!.fullHash).toBe(a.agents[0]!.env!.entries.TOKEN!.fullHash);
    expect(b.agents[0]!.fingerprint).toBe(a.agents[0]!.fingerprint);
    expect(b.observer).toEqual({ version: '0123456789abcdef', authorized: true });
  });

  it('names the file when the gate could not hash it, and never takes junk for an entry', () => {
    const failed = 'CLAWCTL-FACTS 2\nenvfile 600 10 81a4 .openclaw/.env\nenvhash-error .openclaw/.env no node on PATH to hash it with\nblob\n';
    expect(() => parseFacts(Buffer.from(failed), 'h', agents, 'k')).toThrow('host h: the observation gate could not hash ~/.openclaw/.env: no node on PATH to hash it with');
    const junk = `CLAWCTL-FACTS 2\nenvfile 600 10 81a4 .openclaw/.env\nenvhash .openclaw/.env BAD;NAME ${hmac('x')}\nenvhash .openclaw/.env SHORT abc\nenvhash .openclaw-b/.env OTHER ${hmac('x')}\nblob\n`;
    expect(parseFacts(Buffer.from(junk), 'h', agents, 'k').agents[0]!.env).toEqual({ mode: '600', entries: {} });
  });

  it('reads a gate that the fleet no longer names (to remove it), and a missing one', () => {
    expect(parseFacts(Buffer.from('CLAWCTL-FACTS 2\nobserver 0123456789abcdef 0\nblob\n'), 'h', [], 'k').observer).toEqual({ version: '0123456789abcdef', authorized: false });
    expect(parseFacts(Buffer.from('CLAWCTL-FACTS 2\nobserver - 0\nblob\n'), 'h', [], 'k').observer).toEqual({ version: null, authorized: false });
    expect(parseFacts(Buffer.from('CLAWCTL-FACTS 2\nblob\n'), 'h', [], 'k').observer).toBeUndefined();
  });
});

describe('what an interrupted apply left', () => {
  it('sees a .env.clawctl-prev (only that it is there), and plans its removal when .env itself is in sync', () => {
    const agents = [{ name: 'a', stateDir: '.openclaw', port: 1 }];
    const parsed = parseFacts(Buffer.from('CLAWCTL-FACTS 2\nprev-env .openclaw\nprev-env .openclaw-other\nblob\n'), 'h', agents, 'k');
    expect(parsed.agents[0]!.prevEnv).toBe(true);
  });

  it("sees restart.sh's mark of a restart that was cut off, for that agent only", () => {
    const agents = [
      { name: 'a', stateDir: '.openclaw', port: 1 },
      { name: 'b', stateDir: '.openclaw-b', port: 2 },
    ];
    const parsed = parseFacts(Buffer.from('CLAWCTL-FACTS 2\nrestarting .openclaw\nblob\n'), 'h', agents, 'k');
    expect(parsed.agents.map((a) => a.restartCutOff)).toEqual([true, undefined]);
  });

  it("makes a usage cost that went wrong on the host unknown, naming the host and why, with the agent's secrets redacted", () => {
    const env = 'OPENCLAW_GATEWAY_TOKEN=tok-9f8e7d6c5b4a\n';
    const head = (lines: string, blob = '') =>
      Buffer.from(
        `CLAWCTL-FACTS 2\nhttp 200 0.004 http://127.0.0.1:1/readyz\n${lines}file 600 ${env.length} 81a4 .openclaw/.env\n${blob ? `file 644 ${blob.length} 81a4 /tmp/x/cost-0\n` : ''}blob\n${env}${blob}`,
      );
    const cost = (stdout: Buffer) => parseFacts(stdout, 'h7', [{ name: 'a', stateDir: '.openclaw', port: 1, cost: true }], 'k').agents[0]!.cost;
    expect(cost(head('costrc 0 124 \n'))).toEqual({ state: 'unknown', reason: 'host h7: openclaw gateway usage-cost timed out' });
    expect(cost(head('costrc 0 1 { "ok": false, "error": { "type": "x", "message": "token tok-9f8e7d6c5b4a\\nrejected" } }\n'))).toEqual({
      state: 'unknown',
      reason: expect.stringMatching(/^host h7: openclaw gateway usage-cost exited 1: token \(sensitive, sha256:[0-9a-f]{8}\) rejected$/),
    });
    expect(cost(head('costrc 0 0\n', '\u001b[31mnot json'))).toMatchObject({
      state: 'unknown',
      reason: expect.stringContaining('host h7: openclaw gateway usage-cost answered something that is not JSON'),
    });
    // Its JSON missing from the blob (a host that said 0 and sent nothing): unknown too, never a crash.
    expect(cost(head('costrc 0 0\n'))).toMatchObject({ state: 'unknown' });
    expect(cost(head('costrc zero junk\n'))).toEqual({ state: 'unknown', reason: 'host h7: its gateway is not running, and OpenClaw reports usage cost through it' });
  });
});
