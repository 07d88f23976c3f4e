import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { type SshHost, startSshLab, type SshLab } from '../harness/sshd.js';

/**
 * Issue #19's soak: an apply to a host whose disk is full failed, as it must, but left its
 * staged `.clawctl-new.openclaw.json` (cut short where the disk ran out) beside the live file
 * until some later apply replaced it. install.sh now removes what it staged however it ends.
 * The host's home is a small tmpfs of its own, filled to the last byte.
 */
describe('an apply to a host whose disk is full', () => {
  let lab: SshLab | undefined;
  let host: SshHost;
  let mounted = false;
  const fill = () => join(host.home, 'fill');
  const agents = (gen: number, size: number): AgentDef[] =>
    ['d1', 'd2'].map((name, i) => ({ name, host: 'df', profile: name, port: 19450 + i, config: { generation: gen, blob: `${gen % 10}`.repeat(size) }, env: { GEN: String(gen) } }));
  const fleet = (gen: number, size: number) => writeFleet(lab!.repo, [host], agents(gen, size), { identityFile: lab!.client.privateKeyPath });
  const staged = () =>
    ['d1', 'd2'].flatMap((n) =>
      readdirSync(join(host.home, `.openclaw-${n}`))
        .filter((f) => f.startsWith('.clawctl-new.'))
        .map((f) => `.openclaw-${n}/${f}`),
    );
  const generation = (n: string) => (JSON.parse(readFileSync(join(host.home, `.openclaw-${n}`, 'openclaw.json'), 'utf8')) as { generation: number }).generation;

  beforeAll(async () => {
    lab = await startSshLab('diskfull', ['df']);
    host = lab.hosts[0]!;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=2m,mode=0755,uid=${host.uid},gid=${host.gid}`, 'tmpfs', host.home]);
    mounted = true;
    fleet(1, 1000);
    const res = await clawctl(['apply', '--auto-approve'], { cwd: lab.repo });
    expect(res.code, res.stdout + res.stderr).toBe(0);
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', ['-l', host.home]);
    await lab?.remove();
  });

  it('fails, leaves every live file as it was and no staged file behind; once there is room it converges', async () => {
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${fill()}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // ENOSPC: full, as meant
    }
    fleet(2, 200_000);
    const full = await clawctl(['apply', '--auto-approve'], { cwd: lab!.repo });
    expect(full.code, full.stdout + full.stderr).not.toBe(0);
    expect(staged(), `staged files left after the failed apply:\n${full.stdout}${full.stderr}`).toEqual([]);
    expect([generation('d1'), generation('d2')]).toEqual([1, 1]);

    rmSync(fill());
    const roomy = await clawctl(['apply', '--auto-approve'], { cwd: lab!.repo });
    expect(roomy.code, roomy.stdout + roomy.stderr).toBe(0);
    expect([generation('d1'), generation('d2')]).toEqual([2, 2]);
    expect(staged()).toEqual([]);
    expect((await clawctl(['plan', '--detailed-exitcode'], { cwd: lab!.repo })).code).toBe(0);
  });
});
