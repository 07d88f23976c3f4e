import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, type JsonObject } from '../util/json.js';
import { sha256 } from '../util/hash.js';
import { clawctlCacheDir } from '../util/cache-dir.js';
import type { Toolchain, ToolchainResult } from './toolchain.js';

/** One issue as OpenClaw reports it: a dotted path into openclaw.json and its own words. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** What one OpenClaw version says of one config. */
export interface ConfigVerdict {
  valid: boolean;
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

export interface VerdictRequest {
  config: JsonObject;
  /** Names the agent's .env declares: `${VAR}` references to them resolve on the host. */
  envNames: string[];
}

/** The worker's protocol (validate-worker.ts). */
export interface WorkerRequest {
  packageDir: string;
  items: (VerdictRequest & { id: number })[];
}
export interface WorkerResponse {
  results: { id: number; verdict: ConfigVerdict }[];
  error?: string;
}

/** Bumped when what a verdict means changes, so older cached verdicts are not trusted. */
const VERDICT_FORMAT = 1;
/** The worker's deadline: loading OpenClaw takes ~2 s, each config ~0.1 s. */
const WORKER_TIMEOUT_MS = 120_000;
const WORKER = fileURLToPath(new URL('./validate-worker.js', import.meta.url));

/**
 * OpenClaw's verdicts on many configs: from the cache where this version already judged
 * the same content, the rest in one worker process of that version's toolchain. A verdict is a pure function of the
 * version and the content, so it is cached for good.
 */
export async function verdictsFor(version: string, requests: readonly VerdictRequest[], toolchain: () => Promise<ToolchainResult>): Promise<ConfigVerdict[] | { reason: string }> {
  const files = requests.map((r) => verdictFile(version, r));
  const verdicts = await Promise.all(files.map(readCached));
  const missing = verdicts.flatMap((v, i) => (v ? [] : [i]));
  if (missing.length > 0) {
    // Only a config never judged before needs OpenClaw itself (and, the first time, a fetch).
    const found = await toolchain();
    if (!found.ok) return { reason: found.reason };
    const fresh = await runWorker(
      found.toolchain,
      missing.map((i) => ({ id: i, ...requests[i]! })),
    );
    await mkdir(join(clawctlCacheDir(), 'openclaw-verdicts', version), { recursive: true });
    for (const { id, verdict } of fresh) {
      verdicts[id] = verdict;
      const file = files[id]!;
      await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(verdict));
      await rename(`${file}.${process.pid}.tmp`, file);
    }
  }
  if (verdicts.some((v) => v === undefined)) throw new Error(`OpenClaw ${version}'s config check returned fewer verdicts than configs`);
  return verdicts as ConfigVerdict[];
}

/** Where this version's verdict on this config is kept: a pure function of both, so kept for good. */
export function verdictFile(version: string, request: VerdictRequest): string {
  const key = sha256(canonicalJson({ format: VERDICT_FORMAT, config: request.config, env: [...request.envNames].sort() }));
  return join(clawctlCacheDir(), 'openclaw-verdicts', version, `${key}.json`);
}

async function readCached(file: string): Promise<ConfigVerdict | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ConfigVerdict;
  } catch {
    return undefined;
  }
}

function runWorker(toolchain: Toolchain, items: WorkerRequest['items']): Promise<WorkerResponse['results']> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolchain.node, [WORKER], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'], timeout: WORKER_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdio[3]!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let response: WorkerResponse | undefined;
      try {
        response = JSON.parse(out) as WorkerResponse;
      } catch {
        // reported below
      }
      if (response && !response.error) return resolve(response.results);
      const why = response?.error ?? (signal ? `killed by ${signal} after ${WORKER_TIMEOUT_MS / 1000} s` : `exited ${code}: ${err.trim().split('\n').pop() ?? ''}`);
      reject(new Error(`OpenClaw ${toolchain.version}'s config check failed to run: ${why.split('\n')[0]}`));
    });
    child.stdin!.end(JSON.stringify({ packageDir: toolchain.packageDir, items } satisfies WorkerRequest));
  });
}
