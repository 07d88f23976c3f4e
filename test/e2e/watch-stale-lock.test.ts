import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';

interface Cycle {
  outcome: string;
  error?: { message: string; diagnostics: { hint?: string }[] };
}

/**
 * Issue #19's soak: a watch --apply killed mid-apply (OOM killer, SIGKILL) and restarted left
 * its lock behind, and the new watch reported it every cycle and applied nothing, for ever,
 * until a person ran `clawctl unlock`. The loop now takes over a lock whose holder ran on this
 * machine and no longer runs, and audits it; a live holder's lock is still waited on.
 */
describe('watch --apply and a lock left by a process that died', () => {
  let root: string;
  const lock = () => join(root, '.clawctl', 'lock');
  const holder = (pid: number, command: string) => ({ holder: userInfo().username, machine: hostname(), pid, command, since: new Date().toISOString() });
  const writeLock = (pid: number, command = 'clawctl watch --apply') => {
    mkdirSync(join(root, '.clawctl'), { recursive: true });
    writeFileSync(lock(), `${JSON.stringify(holder(pid, command), null, 2)}\n`);
  };
  const once = async (): Promise<Cycle> => {
    const res = await clawctl(['watch', '--apply', '--once', '--json'], { cwd: root, env: { GITHUB_ACTIONS: '' } });
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Cycle;
  };
  const agent = (banner: string) => `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: claw}\nspec:\n  host: h\n  env: {BANNER: ${banner}}\n`;
  const audit = () =>
    existsSync(join(root, '.clawctl', 'audit.jsonl'))
      ? readFileSync(join(root, '.clawctl', 'audit.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as { action: string; result: string; details?: Record<string, string> })
      : [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-watch-lock-'));
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('stale')}\n---\n${LOCAL_HOST}\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes over the lock of a dead holder on this machine, audits the break, and applies', async () => {
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('one'));
    // A pid that ran here and is gone.
    const dead = spawnSync('true').pid!;
    writeLock(dead);
    const cycle = await once();
    expect(cycle.outcome, JSON.stringify(cycle)).toBe('applied');
    expect(existsSync(lock()), 'released after the cycle').toBe(false);
    const breaks = audit().filter((e) => e.action === 'lock.break');
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({ result: 'taken-over', details: { by: 'clawctl watch --apply' } });
    expect(breaks[0]!.details!.holder).toContain(`(pid ${dead}, \`clawctl watch --apply\`)`);
  });

  it('waits on a live holder: the cycle reports it, the lock stays, nothing is applied', async () => {
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('two'));
    writeLock(process.pid, 'clawctl apply --auto-approve');
    const before = readFileSync(lock(), 'utf8');
    const cycle = await once();
    expect(cycle.outcome).toBe('error');
    expect(cycle.error!.message).toContain(`the fleet is locked: held by ${userInfo().username} on ${hostname()} (pid ${process.pid}`);
    expect(cycle.error!.diagnostics[0]!.hint).toContain('wait for the other apply to finish');
    expect(readFileSync(lock(), 'utf8')).toBe(before);
    rmSync(lock());
  });

  it('leaves a dead holder of another machine to a person: reported with the command that clears it', async () => {
    mkdirSync(join(root, '.clawctl'), { recursive: true });
    writeFileSync(lock(), `${JSON.stringify({ ...holder(2 ** 22 + 1, 'clawctl watch --apply'), machine: 'elsewhere.invalid' }, null, 2)}\n`);
    const cycle = await once();
    expect(cycle.outcome).toBe('error');
    expect(cycle.error!.diagnostics[0]!.hint).toContain('run `clawctl unlock`');
    expect(existsSync(lock())).toBe(true);
    rmSync(lock());
  });
});
