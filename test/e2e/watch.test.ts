import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAWCTL } from '../harness/cli.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';

interface Cycle {
  cycle: number;
  trigger: string;
  outcome: string;
  error?: { message: string; diagnostics: { pos?: { file: string; line: number } }[] };
}

/** The reconcile loop as a process: file changes and the drift interval wake it; --apply self-heals. */
describe('clawctl watch', () => {
  let root: string;
  const agent = (banner: string) => `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: claw}\nspec:\n  host: h\n  env: {BANNER: ${banner}}\n`;
  const configFile = () => join(root, 'home', '.openclaw', 'openclaw.json');

  /** Start watch with --json; cycles() yields each line as it comes. */
  function startWatch(args: string[]) {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLAWCTL, 'watch', '--json', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' } });
    const seen: Cycle[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.trim()) seen.push(JSON.parse(l) as Cycle);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const next = async (n: number): Promise<Cycle> => {
      for (let i = 0; i < 300 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 100));
      expect(seen.length, `waiting for cycle ${n}; stderr: ${stderr}`).toBeGreaterThanOrEqual(n);
      return seen[n - 1]!;
    };
    const stop = () => new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
    return { next, stop, seen };
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-watch-'));
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('w')}\n---\n${LOCAL_HOST}\n`);
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('one'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports without applying; a change under fleet/ wakes it; a broken file is an error cycle, not the end', async () => {
    const w = startWatch(['--interval', '3600']);
    const first = await w.next(1);
    expectOutputSchema('watch', first);
    expect(first).toMatchObject({ cycle: 1, trigger: 'start', outcome: 'drift' });
    writeFileSync(join(root, 'fleet', 'agent.yaml'), `${agent('one')}  broken: [\n`);
    const broken = await w.next(2);
    expect(broken).toMatchObject({ trigger: 'change', outcome: 'error' });
    expect(broken.error!.diagnostics[0]!.pos!.file).toBe('fleet/agent.yaml');
    writeFileSync(join(root, 'fleet', 'agent.yaml'), agent('two'));
    expect(await w.next(3)).toMatchObject({ trigger: 'change', outcome: 'drift' });
    expect(await w.stop()).toBe(0);
    expect(() => readFileSync(configFile())).toThrow(); // nothing was applied
  });

  it('with --apply converges, then heals drift made on the host at the next interval', async () => {
    const w = startWatch(['--apply', '--interval', '2']);
    expect(await w.next(1)).toMatchObject({ trigger: 'start', outcome: 'applied' });
    expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
    const quiet = await w.next(2);
    expect(quiet).toMatchObject({ trigger: 'interval', outcome: 'in-sync' });
    // Someone edits the host by hand: the next cycle puts it back.
    const edited = JSON.parse(readFileSync(configFile(), 'utf8'));
    edited.gateway.bind = 'lan';
    writeFileSync(configFile(), JSON.stringify(edited));
    let healed: Cycle | undefined;
    for (let n = 3; n <= 6 && !healed; n++) {
      const c = await w.next(n);
      if (c.outcome === 'applied') healed = c;
    }
    expect(healed).toMatchObject({ trigger: 'interval', outcome: 'applied' });
    expect(JSON.parse(readFileSync(configFile(), 'utf8')).gateway.bind).toBe('loopback');
    expect(await w.stop()).toBe(0);
    const audit = readFileSync(join(root, '.clawctl', 'audit.jsonl'), 'utf8');
    expect(audit.match(/"action":"apply"/g)).toHaveLength(2);
  });

  it('removes an agent that left the fleet only with --prune', async () => {
    rmSync(join(root, 'fleet', 'agent.yaml'));
    const keep = startWatch(['--apply', '--interval', '3600']);
    expect(await keep.next(1)).toMatchObject({ outcome: 'in-sync' });
    expect(await keep.stop()).toBe(0);
    expect(readFileSync(configFile(), 'utf8')).toContain('loopback');
    const prune = startWatch(['--apply', '--prune', '--interval', '3600']);
    const cycle = await prune.next(1);
    expect(cycle).toMatchObject({ outcome: 'applied' });
    expect(await prune.stop()).toBe(0);
    expect(() => readFileSync(configFile())).toThrow();
  });
});
