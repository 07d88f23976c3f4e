import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_HOST } from '../harness/local-fleet.js';
import { CLAWCTL, clawctl } from '../harness/cli.js';

/**
 * The read-only views (status, agents info, watch): what they print under --json, what they
 * say when given a host's name, and what they leave in the audit log: a read of secrets to
 * hash them is recorded with what it was for, once per process, not once per watch cycle.
 */
describe('views: --json output, names, and the secret reads they audit', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[]) => clawctl(args, { cwd: root, env });
  const reads = () =>
    readFileSync(join(root, '.clawctl', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target: string; details?: { for?: string } })
      .filter((e) => e.action === 'secret.read');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-views-'));
    execFileSync('git', ['init', '-q', root]);
    env = { XDG_CONFIG_HOME: join(root, 'user-config'), SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'T', GITHUB_ACTIONS: '' };
    expect((await run(['init', '.', '--name', 'views'])).code).toBe(0);
    mkdirSync(join(root, 'home'));
    writeFileSync(
      join(root, 'fleet', 'agents.yaml'),
      `${LOCAL_HOST}\n---\napiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: bot}\nspec: {host: h, openclaw: {config: {gateway: {mode: local, bind: loopback}}}}\n`,
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('status --json prints the document alone: nothing human on stderr', async () => {
    const res = await run(['status', '--json']);
    expect(JSON.parse(res.stdout).agents[0].agent).toBe('bot');
    expect(res.stderr).toBe('');
  });

  it("agents info given a host's name says it is a host and names its agents", async () => {
    const res = await run(['agents', 'info', 'h']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('h is a host; this command takes an agent');
    expect(res.stderr).toContain('hint: agents on h: bot');
    expect(res.stderr).not.toContain('TypeError');
  });

  it('reads arguments only from argv: piped stdin is never taken for one', async () => {
    const apply = await clawctl(['apply'], { cwd: root, env, stdin: 'no\n' });
    expect(apply.code).toBe(1);
    expect(apply.stderr).not.toContain('No file found at no');
    expect(apply.stderr).toContain('there is no terminal to ask');
    const diagnose = await clawctl(['diagnose'], { cwd: root, env, stdin: 'x\n' });
    expect(diagnose.code).toBe(2);
    expect(diagnose.stderr).toContain('Missing 1 required arg');
    expect(diagnose.stderr).not.toContain('--target');
  });

  it('says which name is unknown in the words the user typed', async () => {
    const res = await run(['diagnose', 'nosuch']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('nosuch: the fleet has no agent or host of that name');
    expect(res.stderr).toContain('hint: agents: bot; hosts: h');
    expect(res.stderr).not.toContain('--target');
  });

  it('records each secret read with the command it was for', async () => {
    await run(['agents', 'info', 'bot']);
    const fors = reads().map((r) => r.details?.for);
    expect(fors).toContain('status');
    expect(fors).toContain('agents info');
    expect(fors).not.toContain('plan');
  });

  it('watch records its secret reads once, not once per cycle', async () => {
    const before = reads().length;
    const child = spawn(process.execPath, [CLAWCTL, 'watch', '--interval', '1', '--json'], { cwd: root, env: { ...process.env, ...env, CI: 'true' } });
    let cycles = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        cycles += b
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('{')).length;
        if (cycles >= 3) resolve();
      });
    });
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
    const watchReads = reads()
      .slice(before)
      .filter((r) => r.details?.for === 'watch');
    expect(watchReads.length).toBeGreaterThan(0);
    expect(watchReads.length).toBe(new Set(watchReads.map((r) => r.target)).size);
  });
});
