import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl, type RunningClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { startGate, type ClientKey, type Gate, type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

/**
 * "One apply per fleet at a time", with two real applies started together. One of the hosts
 * sits behind a gate that holds every connection to it until the race is decided, so the
 * apply that took the lock is still holding it when the other one asks, however slowly either
 * process starts: which one wins may vary, the outcome may not. The loser must name the winner:
 * a lock file read between its creation and its contents being written names nobody.
 */
describe('two applies started together', () => {
  let repo: string;
  let client: ClientKey;
  let lab: SshLab | undefined;
  let hosts: SshHost[];
  let gate: Gate;
  const agents = (gen: number): AgentDef[] => ['a1', 'a2', 'b1', 'b2'].map((name, i) => ({ name, host: i < 2 ? 'h1' : 'h2', profile: name, port: 19300 + i, config: { generation: gen } }));
  // h2 is reached through the gate.
  const fleet = (gen: number) => writeFleet(repo, [hosts[0]!, { ...hosts[1]!, port: gate.port }], agents(gen), { identityFile: client.privateKeyPath });
  const generation = (host: SshHost, name: string) => JSON.parse(readFileSync(join(host.home, `.openclaw-${name}`, 'openclaw.json'), 'utf8')).generation as number;
  const applies = () => (existsSync(join(repo, '.clawctl', 'audit.jsonl')) ? (readFileSync(join(repo, '.clawctl', 'audit.jsonl'), 'utf8').match(/"action":"apply"/g)?.length ?? 0) : 0);

  beforeAll(async () => {
    lab = await startSshLab('race', ['h1', 'h2']);
    ({ repo, client } = lab);
    hosts = lab.hosts;
    gate = await startGate(hosts[1]!.port);
  });

  afterAll(async () => {
    await gate?.close();
    await lab?.remove();
  });

  it('exactly one runs; the other exits 1 naming the one that holds the lock (six rounds)', async () => {
    for (let round = 1; round <= 6; round++) {
      fleet(round);
      const audited = applies();
      gate.hold();
      const started = [startClawctl(['apply', '--auto-approve'], { cwd: repo }), startClawctl(['apply', '--auto-approve'], { cwd: repo })];
      // Decided when one has exited, or when both have reached the gated host: then both got past the lock.
      const decided = await Promise.race([
        ...started.map((run) => run.done.then(() => 'one exited' as const)),
        (async () => {
          while (gate.connections() < 2) await new Promise((r) => setTimeout(r, 20));
          return 'both reached the hosts' as const;
        })(),
      ]);
      gate.release();
      const results = await Promise.all(started.map((run) => run.done));
      const show = (run: RunningClawctl, i: number) => `apply ${i + 1} (pid ${run.child.pid}): exit ${results[i]!.code}\n${results[i]!.stdout}${results[i]!.stderr}`;
      const report = `round ${round}: ${decided}\n${started.map(show).join('\n')}`;
      expect(decided, report).toBe('one exited');
      expect(results.map((r) => r.code).sort(), report).toEqual([0, 1]);
      const winner = started[results.findIndex((r) => r.code === 0)]!;
      const loser = results.find((r) => r.code === 1)!;
      expect(loser.stderr, report).toContain(`the fleet is locked: held by ${userInfo().username} on ${hostname()} (pid ${winner.child.pid}, \`clawctl apply --auto-approve\`)`);
      expect(loser.stderr, report).toContain('wait for the other apply to finish');
      expect(loser.stdout, report).not.toContain('Apply complete');
      // Only the winner reached the gated host, and only the winner's apply is audited.
      expect(gate.connections(), report).toBe(1);
      expect(applies(), report).toBe(audited + 1);
      for (const [host, names] of [
        [hosts[0]!, ['a1', 'a2']],
        [hosts[1]!, ['b1', 'b2']],
      ] as const) {
        for (const name of names) expect(generation(host, name), `${name} in ${report}`).toBe(round);
      }
      expect(existsSync(join(repo, '.clawctl', 'lock')), 'the winner released the lock').toBe(false);
    }
    expect((await clawctl(['plan', '--detailed-exitcode'], { cwd: repo })).code).toBe(0);
  });

  it('a lock file that names nobody yet (created, its contents not written) is refused, and unlock removes it, says so and audits it', async () => {
    // What an apply leaves for a moment between creating .clawctl/lock and writing its holder
    // into it, and for good if it is killed in that moment.
    fleet(100);
    const lock = join(repo, '.clawctl', 'lock');
    mkdirSync(join(repo, '.clawctl'), { recursive: true });
    writeFileSync(lock, '');
    const held = await clawctl(['apply', '--auto-approve'], { cwd: repo });
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('the fleet is locked');
    expect(held.stdout).not.toContain('Apply complete');
    const audit = () => (existsSync(join(repo, '.clawctl', 'audit.jsonl')) ? (readFileSync(join(repo, '.clawctl', 'audit.jsonl'), 'utf8').match(/"action":"lock\.break"/g)?.length ?? 0) : 0);
    const breaks = audit();
    const unlock = await clawctl(['unlock', '--json'], { cwd: repo });
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    // It did remove a lock: it must not say the fleet was not locked, and the break is audited.
    expect.soft(JSON.parse(unlock.stdout)).toMatchObject({ removed: true });
    expect.soft(audit(), 'a lock.break audit entry').toBe(breaks + 1);
    expect((await clawctl(['apply', '--auto-approve'], { cwd: repo })).code).toBe(0);
  });
});
