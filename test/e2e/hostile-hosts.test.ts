import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';

/**
 * A host is hostile ground: its user can hang a command. Every remote command has a
 * deadline; a hung host is an error that names it, and the other hosts are still planned.
 */
describe('hostile hosts', () => {
  let root: string;
  let repo: string;
  let client: ClientKey;
  let hosts: SshHost[];
  const agents: AgentDef[] = [
    { name: 'calm', host: 'ok1', port: 19101 },
    { name: 'stuck', host: 'hang1', port: 19102 },
  ];
  const run = (...args: string[]) => clawctl(args, { cwd: repo });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-hostile-'));
    repo = join(root, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    client = makeClientKey(root);
    hosts = await Promise.all(['ok1', 'hang1'].map((n) => startSshHost(n, root, client)));
    writeFleet(repo, hosts, agents, { identityFile: client.privateKeyPath, fleetSpec: { commandTimeoutSeconds: 3 } });
  });

  afterAll(async () => {
    // OpenSSH delivers no signal to a forced command: the host user's own `sleep` outlives us.
    for (const h of hosts ?? []) {
      try {
        execFileSync('pkill', ['-KILL', '-u', h.user], { stdio: 'ignore' });
      } catch {
        // none left
      }
    }
    await Promise.all((hosts ?? []).map((h) => h.remove()));
    rmSync(root, { recursive: true, force: true });
  });

  it('gives up on a host whose every command hangs, names it, and plans the others', async () => {
    // The host's user forces every login of our key to run `sleep 1000` instead.
    writeFileSync(join(root, 'hang1', 'authorized_keys'), `command="sleep 1000" ${client.publicKey}\n`);
    const plan = await run('plan', '--json');
    expect(plan.code).toBe(1);
    const json = JSON.parse(plan.stdout);
    expect(json.unreachable).toEqual([
      {
        host: 'hang1',
        error: 'host hang1: clawctl-facts did not finish within 3 s; it was stopped',
        hint: "the host may be hung, overloaded or out of disk; if it is only slow, raise the Fleet's spec.commandTimeoutSeconds",
        agents: ['stuck'],
      },
    ]);
    expect(json.changes.map((c: { agent: string }) => c.agent)).toEqual(['calm']);
  });
});
