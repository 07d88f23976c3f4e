import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyAgent } from '../../src/apply/apply-agent.js';
import { AGENT_LOCK_WAIT_SECONDS } from '../../src/apply/host-scripts.js';
import type { ExecResult, HostConnection, StreamOptions } from '../../src/connection/connection.js';
import type { DesiredAgent, DesiredHost } from '../../src/desired/desired-state.js';
import type { EngineEvent } from '../../src/events/hooks.js';
import type { ObservedAgent } from '../../src/observe/observed-state.js';
import { hostScript } from '../../src/openclaw/host-script.js';
import { renderDotenv } from '../../src/openclaw/dotenv.js';
import type { AgentPlan } from '../../src/plan/plan.js';
import { Sensitive } from '../../src/util/sensitive.js';
import type { ServiceKind } from '../../src/validate/manifests.js';

/**
 * pyinfra-style: an apply step is the exact commands it sends. Each fixture gives a plan, the
 * desired and observed agent and what the host answers, in order; the test pins every command
 * (host script by its $0 name, its arguments, its stdin decoded), the result and, where a
 * fixture lists them, the events. No SSH: a fake connection records and answers.
 */
const dir = new URL('../fixtures/apply-commands/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));
const KEY = 'fleet-key';

/** Every script apply may send, by the $0 name it runs under, and the host-scripts/ files it is made of. */
const SCRIPTS: Record<string, string> = {
  'clawctl-install': hostScript('refuse-links.sh', 'install.sh'),
  'clawctl-rollback': hostScript('rollback.sh'),
  'clawctl-forget-env': hostScript('forget-env.sh'),
  'clawctl-restart': hostScript('refuse-links.sh', 'gateway-lock.sh', 'restart.sh'),
  'clawctl-remove': hostScript('gateway-lock.sh', 'remove.sh'),
  'clawctl-wait-ready': hostScript('wait-ready.sh'),
};

interface Reply {
  /** The script this answer is for: a command out of order fails at once, naming both. */
  to: string;
  code?: number;
  stdout?: string;
  stderr?: string;
  /** The host never answers: the command ends only when this side gives up on it. */
  hang?: boolean;
}

interface Recorded {
  argv: string[];
  stdin: string | undefined;
  /** Seconds this side waits before it ends the command (execWithin), when it bounds it. */
  deadline: number | undefined;
}

/** A host that records every exec and answers from a script, as the SSH and local connections would. */
class FakeHost implements HostConnection {
  readonly describe = 'fake@h1';
  readonly calls: Recorded[] = [];
  constructor(
    private readonly replies: Reply[],
    private readonly lastTimer: () => number | undefined,
  ) {}

  async exec(argv: readonly string[], stdin?: string, stream?: StreamOptions): Promise<ExecResult> {
    // execWithin arms its timer just before it calls exec: that timer is this command's deadline.
    const deadline = stream?.signal ? this.lastTimer() : undefined;
    this.calls.push({ argv: [...argv], stdin, deadline: deadline === undefined ? undefined : deadline / 1000 });
    const name = normalize(argv).script;
    const reply = this.replies.shift();
    if (!reply) throw new Error(`fake host: no answer scripted for ${name}`);
    if (reply.to !== name) throw new Error(`fake host: next answer is for ${reply.to}, but ${name} ran`);
    if (reply.hang) {
      // A connection ends the program when the caller aborts and then resolves with code 0.
      await new Promise<void>((resolve) => stream?.signal?.addEventListener('abort', () => resolve()));
      return { code: 0, stdout: '', bytes: Buffer.alloc(0), stderr: '' };
    }
    const stdout = reply.stdout ?? '';
    const res = { code: reply.code ?? 0, stderr: reply.stderr ?? '' };
    if (stream) {
      // Streamed: stdout goes to the caller in chunks, not into the result.
      stream.onStdout(Buffer.from(stdout));
      return { ...res, stdout: '', bytes: Buffer.alloc(0) };
    }
    return { ...res, stdout, bytes: Buffer.from(stdout) };
  }

  close(): void {}
}

const AGENT_LOCK = hostScript('agent-lock.sh');

/**
 * `[sh -c LOCK clawctl-agent-lock DIR WAIT] [timeout -k 5 N] sh -c SCRIPT NAME ARGS…` →
 * {lock: DIR, timeout, script: NAME, args}; each body is checked against host-scripts/.
 */
function normalize(argv: readonly string[]): { lock?: string; timeout?: number; script: string; args: string[] } {
  let rest = [...argv];
  let lock: string | undefined;
  let timeout: number | undefined;
  if (rest[3] === 'clawctl-agent-lock') {
    expect(rest[2] === AGENT_LOCK, 'the agent lock runs the body of agent-lock.sh').toBe(true);
    expect(rest[5], 'the wait for an agent lock').toBe(String(AGENT_LOCK_WAIT_SECONDS));
    lock = rest[4];
    rest = rest.slice(6);
  }
  if (rest[0] === 'timeout') {
    expect(rest.slice(1, 3), 'the host-side bound sends SIGKILL 5 s after SIGTERM').toEqual(['-k', '5']);
    timeout = Number(rest[3]);
    rest = rest.slice(4);
  }
  expect(rest.slice(0, 2), `a host script, not a shell line: ${JSON.stringify(argv.slice(0, 6))}`).toEqual(['sh', '-c']);
  const [body, name, ...args] = rest.slice(2);
  expect(Object.keys(SCRIPTS), `unknown script $0 ${name}`).toContain(name);
  expect(body === SCRIPTS[name!], `${name} runs the body of its host-scripts/ files`).toBe(true);
  return { ...(lock === undefined ? {} : { lock }), ...(timeout === undefined ? {} : { timeout }), script: name!, args };
}

/** install.sh's stdin: one base64 line per file named in its args, decoded to the file's lines. */
function decodeStdin(stdin: string, files: string[]): Record<string, string[]> {
  expect(stdin.endsWith('\n'), 'stdin ends with a newline, so the last read succeeds').toBe(true);
  const lines = stdin.slice(0, -1).split('\n');
  expect(lines).toHaveLength(files.length);
  return Object.fromEntries(
    files.map((file, i) => {
      expect(lines[i], 'each file is one base64 line').toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      return [file, Buffer.from(lines[i]!, 'base64').toString('utf8').split('\n')];
    }),
  );
}

function shown(call: Recorded): Record<string, unknown> {
  const { lock, timeout, script, args } = normalize(call.argv);
  const out: Record<string, unknown> = { ...(lock === undefined ? {} : { lock }), ...(timeout === undefined ? {} : { timeout }), script, args };
  if (call.deadline !== undefined) out.deadline = call.deadline;
  if (call.stdin !== undefined) out.stdin = script === 'clawctl-install' ? decodeStdin(call.stdin, args.slice(2)) : call.stdin;
  return out;
}

const secrets = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, new Sensitive(v, KEY)]));
/** Keyed hashes depend on the key; fixtures show what kind of text stands there. */
const hashless = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/\(sensitive, sha256:[0-9a-f]{8}\)/g, '(sensitive)'));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('apply of one agent: the commands sent to its host', () => {
  it.each(fixtures)('%s', async (file) => {
    const f = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    const hangs = (f.replies as Reply[]).some((r) => r.hang);
    if (hangs) vi.useFakeTimers();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const conn = new FakeHost([...f.replies], () => timers.mock.calls.at(-1)?.[1]);

    const profile: string | undefined = f.desired.profile;
    const desired: DesiredAgent = {
      name: 'a',
      host: 'h1',
      labels: {},
      stateDir: profile ? `.openclaw-${profile}` : '.openclaw',
      port: f.desired.port ?? 18789,
      config: f.desired.config,
      env: secrets(f.desired.env),
      ignore: [],
      ...(profile ? { profile } : {}),
      ...(f.desired.version ? { version: f.desired.version } : {}),
    };
    const host: DesiredHost = { name: 'h1', labels: {}, connection: { kind: 'local', home: '/nowhere' }, service: f.service as ServiceKind, commandTimeoutSeconds: 30 };
    const observed: ObservedAgent = {
      name: 'a',
      host: 'h1',
      fingerprint: 'x',
      config: f.observed.config,
      env: f.observed.env && { mode: f.observed.env.mode, entries: secrets(f.observed.env.entries) },
      health: { state: f.observed.health },
      ...(f.observed.service ? { service: f.observed.service } : {}),
    };
    const plan: AgentPlan = { agent: 'a', host: 'h1', stateDir: desired.stateDir, actions: f.actions };
    const events: EngineEvent[] = [];

    const running = applyAgent(plan, { fleet: 'prod', conn, host, desired, observed, healthTimeoutSeconds: f.healthTimeoutSeconds ?? 30, hooks: { emit: (e) => events.push(e) } });
    if (hangs) await vi.runAllTimersAsync();
    const result = await running;

    expect(conn.calls.map(shown)).toEqual(f.expected.commands);
    expect(hashless(result)).toEqual(f.expected.result);
    if (f.expected.events) expect(hashless(events)).toEqual(f.expected.events);

    // A secret travels only in install.sh's stdin, as the rendered .env: never in argv, and
    // never in what apply tells a person (results, events), even when the host echoes it.
    const values = [...Object.values<string>(f.desired.env), ...Object.values<string>(f.observed.env?.entries ?? {})].filter((v) => v.length >= 6);
    const argv = JSON.stringify(conn.calls.map((c) => c.argv));
    const told = JSON.stringify([result, events]);
    for (const value of values) {
      expect(argv).not.toContain(value);
      expect(told).not.toContain(value);
    }
    const envStdin = conn.calls.map(shown).find((c) => c.script === 'clawctl-install' && (c.args as string[]).includes('.env'))?.stdin as Record<string, string[]> | undefined;
    if (envStdin) expect(envStdin['.env']!.join('\n')).toBe(renderDotenv(f.desired.env));
    expect(conn.calls.length, 'every scripted answer was used').toBe(f.replies.length);
  });
});
