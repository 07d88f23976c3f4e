import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

interface Entry {
  action: string;
  target: string;
  result: string;
  planHash?: string;
  details?: Record<string, string | number | boolean>;
}

/**
 * Issue #19's soak: an apply SIGKILLed midway had changed files on hosts that no audit entry
 * named, since every entry was written once the apply ended. Now `apply.start`, naming the
 * agents and hosts about to change, is written before the first change.
 */
describe('an apply killed after changing a host', () => {
  let lab: SshLab | undefined;
  let host: SshHost;
  const names = ['k1', 'k2', 'k3', 'k4'];
  // Large files and one agent at a time: the kill lands after the first agent, before the last.
  const agents = (gen: number): AgentDef[] => names.map((name, i) => ({ name, host: 'kh', profile: name, port: 19400 + i, config: { generation: gen, blob: `${gen % 10}`.repeat(300_000) } }));
  const fleet = (gen: number) => writeFleet(lab!.repo, [host], agents(gen), { identityFile: lab!.client.privateKeyPath, fleetSpec: { rollout: { maxUnavailable: 1 } } });
  const config = (name: string) => join(host.home, `.openclaw-${name}`, 'openclaw.json');
  const entries = (): Entry[] => {
    const path = join(lab!.repo, '.clawctl', 'audit.jsonl');
    return existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as Entry)
      : [];
  };

  beforeAll(async () => {
    lab = await startSshLab('killaudit', ['kh']);
    host = lab.hosts[0]!;
    fleet(1);
    const res = await clawctl(['apply', '--auto-approve'], { cwd: lab.repo });
    expect(res.code, res.stdout + res.stderr).toBe(0);
  });
  afterAll(async () => {
    await lab?.remove();
  });

  it('has already written apply.start, naming every agent it was changing, when it is killed', async () => {
    fleet(2);
    const before = entries().length;
    const inodes = new Map(names.map((n) => [n, statSync(config(n)).ino]));
    const changed = () => names.filter((n) => statSync(config(n)).ino !== inodes.get(n));
    const apply = startClawctl(['apply', '--auto-approve'], { cwd: lab!.repo });
    let exited = false;
    void apply.done.then(() => (exited = true));
    while (!exited && changed().length === 0) await new Promise((r) => setTimeout(r, 1));
    apply.child.kill('SIGKILL');
    const end = await apply.done;
    expect(end.signal, `the apply ended by itself before changing a host: ${end.stdout}${end.stderr}`).toBe('SIGKILL');
    const touched = changed();
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.length, 'killed before the last agent').toBeLessThan(names.length);

    const written = entries().slice(before);
    const start = written.find((e) => e.action === 'apply.start');
    expect(start, JSON.stringify(written)).toMatchObject({ target: 'test', result: 'started', planHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const named = String(start!.details!.agents).split(',');
    for (const n of touched) expect(named, `${n}'s openclaw.json was replaced`).toContain(n);
    expect(start!.details!.hosts).toBe('kh');
    // The killed apply wrote no outcome: apply.start is its only trace, and the chain still verifies.
    expect(written.filter((e) => e.action === 'apply')).toHaveLength(0);
    expect((await clawctl(['audit', 'verify'], { cwd: lab!.repo })).code).toBe(0);
    // The next apply puts the rest right, and says so in the log: a start, then the outcome.
    const unlock = await clawctl(['unlock'], { cwd: lab!.repo });
    expect(unlock.code).toBe(0);
    const next = await clawctl(['apply', '--auto-approve'], { cwd: lab!.repo });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    const after = entries()
      .slice(before + written.length)
      .map((e) => e.action);
    expect(after.indexOf('apply.start')).toBeLessThan(after.indexOf('apply'));
  });
});
