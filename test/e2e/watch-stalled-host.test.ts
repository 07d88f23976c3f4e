import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackHole, type BlackHole } from '../harness/blackhole.js';
import { startClawctl } from '../harness/cli.js';
import { writeFleet } from '../harness/fleet.js';
import { makeClientKey, type SshHost } from '../harness/sshd.js';

/**
 * Issue #19's soak: a host whose TCP connection stalled (accepted, then nothing) made the SSH
 * handshake time out, and when that socket closed later, ssh2 emitted a second error that no
 * listener took: the watch process died of it, and the loop with it. The cycle must report
 * the host and the loop go on.
 */
describe('watch and a host that accepts TCP and never answers', () => {
  let root: string;
  let hole: BlackHole;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-stall-'));
    execFileSync('git', ['init', '-q', root]);
    hole = await startBlackHole();
    const client = makeClientKey(root);
    // A Host whose "sshd" is the black hole: never a banner. Its key is any valid one.
    const stalled = { name: 'st', port: hole.port, user: 'nobody', hostKey: client.publicKey.split(' ').slice(0, 2).join(' ') } as SshHost;
    writeFleet(root, [stalled], [{ name: 'claw', host: 'st', port: 19700 }], { identityFile: client.privateKeyPath });
  });
  afterAll(async () => {
    await hole?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reports the host in an error cycle, survives the socket closing after the handshake timed out, and goes on', { timeout: 90_000 }, async () => {
    const w = startClawctl(['watch', '--json', '--interval', '1'], { cwd: root, env: { GITHUB_ACTIONS: '' } });
    const cycles = () =>
      w
        .stdout()
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { outcome: string; plan?: { unreachable: { host: string; error: string }[] } });
    let exited = false;
    void w.done.then(() => (exited = true));
    const until = async (n: number) => {
      for (let i = 0; i < 600 && cycles().length < n && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await until(1);
    expect(exited, `watch exited during its first cycle: ${w.stderr()}`).toBe(false);
    expect(cycles()[0]).toMatchObject({ outcome: 'error', plan: { unreachable: [{ host: 'st' }] } });
    // The stalled connections close now, each after its handshake timed out.
    await hole.close();
    await new Promise((r) => setTimeout(r, 1_000));
    const seen = cycles().length;
    await until(seen + 1);
    expect(exited, `watch died when the stalled sockets closed: ${w.stderr().slice(-1500)}`).toBe(false);
    w.child.kill('SIGINT');
    expect((await w.done).code).toBe(0);
  });
});
