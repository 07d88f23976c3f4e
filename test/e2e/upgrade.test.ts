import { chownSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { keepSharedLogDirRoot } from '../harness/openclaw.js';
import { startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';

const OLD = '2026.9.5';
const NEW = '2026.9.6';

/**
 * Upgrades that cannot take the fleet down, with two real OpenClaw releases from the npm
 * registry and real gateways (service: process) on real sshd hosts: the new version unpacked
 * beside the old everywhere first, each agent backed up by the old version, the switch and a
 * fresh gateway that must be ready on the new version; a wave whose gateway never gets ready
 * is switched back, and the waves after it are not touched.
 */
describe('upgrades: side by side, backed up, in canary waves, switched back on failure', () => {
  let lab: SshLab;
  let canary: SshHost;
  let rest: SshHost;
  const agents: AgentDef[] = [
    { name: 'first', host: 'up1', port: 19341 },
    { name: 'second', host: 'up2', port: 19342 },
  ];
  const gateway = { mode: 'local', bind: 'loopback' };
  const fleet = (version: string, tools?: Record<string, unknown>) =>
    writeFleet(lab.repo, lab.hosts, agents, {
      identityFile: lab.client.privateKeyPath,
      service: 'process',
      fleetSpec: {
        openclaw: { version },
        defaults: { config: tools ? { gateway, tools } : { gateway } },
        rollout: {
          healthTimeoutSeconds: 60,
          waves: [
            { name: 'canary', selector: { ring: 'canary' } },
            { name: 'rest', percent: 100 },
          ],
        },
      },
      hostLabels: { up1: { ring: 'canary' } },
    });
  const run = (...args: string[]) => clawctl(args, { cwd: lab.repo });
  const versions = (h: SshHost) => join(h.home, '.local', 'share', 'clawctl', 'openclaw');
  const current = (h: SshHost) => readlinkSync(join(h.home, '.local', 'bin', 'openclaw'));
  const running = async () =>
    Object.fromEntries(
      (JSON.parse((await run('status', '--json')).stdout).agents as { agent: string; state: string; version: { running?: string } }[]).map((a) => [a.agent, `${a.state} ${a.version.running}`]),
    );

  beforeAll(async () => {
    lab = await startSshLab('upgrade', ['up1', 'up2']);
    [canary, rest] = lab.hosts as [SshHost, SshHost];
    for (const h of lab.hosts) keepSharedLogDirRoot(h.uid);
    fleet(OLD);
    const boot = await run('apply', '--auto-approve');
    expect(boot.code, boot.stdout + boot.stderr).toBe(0);
    expect(await running()).toEqual({ first: `online ${OLD}`, second: `online ${OLD}` });
  }, 900_000);
  afterAll(async () => {
    await lab?.remove();
  });

  it('a key the new version retires stops the plan at its file:line, and nothing is installed', async () => {
    // tools.codeMode.runtime: accepted by 2026.9.5, an unknown key to 2026.9.6's own schema.
    fleet(NEW, { codeMode: { enabled: false, runtime: 'quickjs-wasi' } });
    for (const command of ['plan', 'apply']) {
      const refused = await run(command, ...(command === 'apply' ? ['--auto-approve'] : []));
      expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
      expect(refused.stderr).toMatch(new RegExp(`fleet\\.yaml:\\d+:\\d+: agent first: openclaw\\.json tools\\.codeMode: Unrecognized key: "runtime" \\(OpenClaw ${NEW}\\)`));
      expect(refused.stderr).toContain(`while OpenClaw ${OLD}, installed now, accepts it: the upgrade retires this key`);
    }
    for (const h of lab.hosts) expect(readdirSync(versions(h))).toEqual([OLD]);
    expect(await running()).toEqual({ first: `online ${OLD}`, second: `online ${OLD}` });
  }, 300_000);

  it('plans the version change per host, in its waves', async () => {
    fleet(NEW);
    const plan = await run('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`~ openclaw ${OLD} → ${NEW} (node`);
    expect(plan.stdout).toContain(`; ${OLD} stays for a rollback`);
    expect(plan.stdout).toContain('Rollout in 2 waves, each healthy before the next: canary (up1) → rest (up2)');
  });

  it('a new version whose gateway never gets ready: the canary is switched back, the rest untouched', async () => {
    // Break the new version on the canary only, once it is unpacked there: its gateway exits at start.
    const held = await run('apply', '--auto-approve', '--until', 'canary');
    expect(held.code, held.stdout + held.stderr).toBe(0);
    expect(held.stdout).toContain('Applied up to wave canary.');
    expect(current(rest)).toBe(join(versions(rest), OLD, 'bin', 'openclaw'));
    expect(readdirSync(versions(rest)).sort()).toEqual([OLD, NEW]); // unpacked beside, not switched
    expect(await running()).toEqual({ first: `online ${NEW}`, second: `online ${OLD}` });
    // Backed up by the version that ran, before the switch: what a downgrade restores.
    const backups = join(canary.home, '.local', 'share', 'clawctl', 'backups', '.openclaw', OLD);
    expect(readdirSync(backups).some((f) => f.endsWith('-openclaw-backup.tar.gz'))).toBe(true);

    // Back to the old version everywhere (a downgrade is a plan like any other) ...
    fleet(OLD);
    const plan = await run('plan');
    expect(plan.stdout).toContain(`a downgrade: each agent's state is restored from the newest backup OpenClaw ${OLD} made`);
    const down = await run('apply', '--auto-approve');
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toContain(`restore first from OpenClaw ${OLD}'s backup`);
    expect(await running()).toEqual({ first: `online ${OLD}`, second: `online ${OLD}` });

    // ... then the new one again, broken on the canary.
    const entry = join(versions(canary), NEW, 'node_modules', 'openclaw', 'openclaw.mjs');
    writeFileSync(entry, 'process.exit(1);\n');
    chownSync(entry, canary.uid, canary.gid);
    fleet(NEW);
    const failed = await run('apply', '--auto-approve');
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain(`switched back to OpenClaw ${OLD}`);
    expect(failed.stdout).toMatch(/Waves: canary failed \(.*\) → rest skipped/);
    expect(failed.stdout).toContain('second: skipped, after a failure');
    expect(current(canary)).toBe(join(versions(canary), OLD, 'bin', 'openclaw'));
    expect(current(rest)).toBe(join(versions(rest), OLD, 'bin', 'openclaw'));
    expect(await running()).toEqual({ first: `online ${OLD}`, second: `online ${OLD}` });
  }, 900_000);

  it('a kill in the middle of the upgrade, then the whole upgrade wave by wave; then nothing to do', async () => {
    // The broken copy is mended by hand (its own file put back); the next apply switches to it.
    writeFileSync(join(versions(canary), NEW, 'node_modules', 'openclaw', 'openclaw.mjs'), readFileSync(join(versions(rest), NEW, 'node_modules', 'openclaw', 'openclaw.mjs')));
    // Killed the moment the canary's restart starts on its host (restart.sh's mark appears). That
    // script goes on without its clawctl until its next line of output, which comes right after
    // it has sent the old gateway SIGTERM: the gateway is left stopped (or, were the line written
    // before the connection closed, replaced). The next apply must start it either way, unlike a
    // gateway someone stopped.
    const killed = startClawctl(['apply', '--auto-approve'], { cwd: lab.repo });
    const newBin = join(versions(canary), NEW, 'bin', 'openclaw');
    const deadline = Date.now() + 240_000;
    const mark = join(canary.home, '.openclaw', '.clawctl-restarting');
    while (Date.now() < deadline && !existsSync(mark)) await new Promise((r) => setTimeout(r, 5));
    killed.child.kill('SIGKILL');
    await killed.done;
    expect(current(canary), killed.stdout() + killed.stderr()).toBe(newBin);
    // The host is on one whole version; the dead apply's lock is the one command away it says.
    const locked = await run('apply', '--auto-approve');
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toContain('run `clawctl unlock`');
    expect((await run('unlock')).code).toBe(0);
    const apply = await run('apply', '--auto-approve');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Waves: canary \w+ → rest applied/);
    expect(await running()).toEqual({ first: `online ${NEW}`, second: `online ${NEW}` });
    expect(existsSync(join(versions(rest), OLD))).toBe(true); // kept for a rollback
    const again = await run('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  }, 900_000);

  it('backups list and restore by hand: only under the version that made it, health-gated', async () => {
    const list = JSON.parse((await run('backups', 'list', 'first', '--json')).stdout) as { backups: { version: string; id: string }[] };
    expect(new Set(list.backups.map((b) => b.version))).toEqual(new Set([OLD, NEW]));
    const older = list.backups.find((b) => b.version === OLD)!;
    const refused = await run('backups', 'restore', 'first', older.id);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`was made by OpenClaw ${OLD}, and host up1 runs ${NEW}`);
    const restored = await run('backups', 'restore', 'first', '--json');
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ agent: 'first', healthy: true, backup: { version: NEW } });
    expect(readdirSync(canary.home).some((f) => f.startsWith('.openclaw.clawctl-before-restore-'))).toBe(true);
    expect(await running()).toEqual({ first: `online ${NEW}`, second: `online ${NEW}` });
    expect((await run('audit', 'log', '--json')).stdout).toContain('backup.restore');
  }, 600_000);
});
