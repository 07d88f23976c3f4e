import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLAWCTL = join(ROOT, 'bin', 'run.js');

export interface Timed {
  ms: number;
  rss?: number;
  /** The process's own CPU time, user + sys, in ms (with `rss`: measured inside it). */
  cpuMs?: number;
  stdout: string;
}

/** Run a command to completion and time it; its exit code must be one of `ok`. */
export function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; ok?: number[]; rss?: boolean } = {}): Promise<Timed> {
  const rssFile = join('/tmp', `clawctl-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...opts.env };
  if (opts.rss) {
    env.NODE_OPTIONS = `--import=${join(ROOT, 'bench', 'report-rss.mjs')}`;
    env.CLAWCTL_BENCH_RSS = rssFile;
  }
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (!(opts.ok ?? [0]).includes(code ?? -1)) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
        return;
      }
      let usage: { rss?: number; cpuMs?: number } = {};
      if (opts.rss) {
        const u = JSON.parse(readFileSync(rssFile, 'utf8')) as { rss: number; cpuUs: number };
        usage = { rss: u.rss, cpuMs: u.cpuUs / 1000 };
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, stdout, ...usage });
    });
  });
}

/** Median of `runs` timings of the same command (RSS: the largest seen; CPU: its own median). */
export async function median(runs: number, fn: () => Promise<Timed>): Promise<Timed> {
  const all: Timed[] = [];
  for (let i = 0; i < runs; i++) all.push(await fn());
  const mid = [...all].sort((a, b) => a.ms - b.ms)[Math.floor(all.length / 2)]!;
  const rss = Math.max(...all.map((t) => t.rss ?? 0));
  const cpus = all.flatMap((t) => (t.cpuMs === undefined ? [] : [t.cpuMs])).sort((a, b) => a - b);
  return { ...mid, ...(rss ? { rss } : {}), ...(cpus.length > 0 ? { cpuMs: cpus[Math.floor(cpus.length / 2)]! } : {}) };
}

/** A generated fleet of local hosts: `hosts` × `perHost` agents, each with its own profile and port. */
export function writeLocalFleet(dir: string, hosts: number, perHost: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'fleet'), { recursive: true });
  const docs: unknown[] = [
    { apiVersion: 'clawctl.dev/v1', kind: 'Fleet', metadata: { name: 'scale' }, spec: { defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } }, env: { NODE_ENV: 'production' } } } },
  ];
  for (let h = 0; h < hosts; h++) {
    docs.push({ apiVersion: 'clawctl.dev/v1', kind: 'Host', metadata: { name: `h${h}` }, spec: { local: { home: `../homes/h${h}` }, service: 'none' } });
    for (let a = 0; a < perHost; a++) {
      docs.push({
        apiVersion: 'clawctl.dev/v1',
        kind: 'Agent',
        metadata: { name: `h${h}-a${a}`, labels: { team: `t${a % 7}` } },
        spec: { host: `h${h}`, role: 'bench', openclaw: { profile: `a${a}`, config: { gateway: { port: 20000 + a } } }, env: { LOG_LEVEL: 'info' } },
      });
    }
  }
  writeFileSync(join(dir, 'fleet', 'fleet.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

/** CPU (user + sys, ms) this process's reaped children have used: /proc/self/stat's cutime and cstime. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // clock ticks of 1/100 s
}

/** Mean CPU (ms) of one run of argv, run `runs` times in a row: what a host spends on one exec. */
export function execCpuMs(argv: readonly string[], env: NodeJS.ProcessEnv, runs = 50): number {
  const before = childrenCpuMs();
  for (let i = 0; i < runs; i++) execFileSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore' });
  return (childrenCpuMs() - before) / runs;
}
