/**
 * Runs under the Node of an OpenClaw toolchain (>= 24.16), never inside clawctl's own
 * process: `node validate-worker.js < request.json 3> verdicts.json`.
 *
 * It checks every config of the request with that OpenClaw version's own code, the same
 * functions `openclaw config validate` calls (defaults filled, legacy keys migrated, plugin
 * schemas and cross-field rules applied), loaded once for the whole batch: one process
 * instead of one ~2 s CLI start per config. Results go to fd 3, because OpenClaw's modules
 * may print to stdout while they load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigIssue, ConfigVerdict, WorkerRequest, WorkerResponse } from './config-verdict.js';

interface Snapshot {
  exists: boolean;
  valid: boolean;
  issues?: unknown[];
  warnings?: unknown[];
}
type Validator = (configPath: string) => Promise<Snapshot>;

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(0, 'utf8')) as WorkerRequest;
  const scratch = mkdtempSync(join(tmpdir(), 'clawctl-openclaw-check-'));
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, NO_COLOR: '1' };
  try {
    const validate = (await inProcessValidator(request.packageDir)) ?? cliValidator(request.packageDir);
    const results: WorkerResponse['results'] = [];
    for (const item of request.items) {
      const dir = mkdtempSync(join(scratch, 'agent-'));
      const configPath = join(dir, 'openclaw.json');
      writeFileSync(configPath, JSON.stringify(item.config));
      // Only what the host would have: its .env names (placeholders; no value is needed to
      // validate), so a `${VAR}` the agent does not declare is reported as missing.
      const env: Record<string, string> = { ...baseEnv, OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_STATE_DIR: dir };
      for (const name of item.envNames) env[name] = 'clawctl-placeholder';
      replaceEnv(env);
      const snapshot = await validate(configPath);
      results.push({ id: item.id, verdict: toVerdict(snapshot) });
    }
    reply({ results });
  } catch (err) {
    reply({ results: [], error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function replaceEnv(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
}

/**
 * OpenClaw's config API as `config validate` uses it: the snapshot read with strict
 * preparation, then the CLI's own finishing step (secret provider checks). The finishing
 * step lives in a chunk whose file name carries a build hash, so it is found by its export.
 */
async function inProcessValidator(packageDir: string): Promise<Validator | undefined> {
  const dist = join(packageDir, 'dist');
  try {
    const config = (await import(pathToFileURL(join(dist, 'config', 'config.js')).href)) as {
      readConfigFileSnapshotWithPluginMetadata?: (o: object) => Promise<{ snapshot: Snapshot }>;
    };
    let finish: ((read: unknown) => Promise<Snapshot>) | undefined;
    for (const file of readdirSync(dist).filter((f) => /^config-cli-validation-.*\.mjs$/.test(f))) {
      const mod = (await import(pathToFileURL(join(dist, file)).href)) as { finishConfigValidationForCli?: typeof finish };
      finish ??= mod.finishConfigValidationForCli;
    }
    const read = config.readConfigFileSnapshotWithPluginMetadata;
    if (!read || !finish) return undefined;
    const done = finish;
    return async () => done(await read({ observe: false, prepareValidation: 'strict', isolateEnv: true }));
  } catch {
    return undefined;
  }
}

/** Any other version: its CLI, one process per config. Slower, and exactly as faithful. */
function cliValidator(packageDir: string): Validator {
  return async () => {
    const out = spawnSync(process.execPath, [join(packageDir, 'openclaw.mjs'), 'config', 'validate', '--json'], {
      env: process.env,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const parsed = JSON.parse(out.stdout) as { valid: boolean; issues?: unknown[]; warnings?: unknown[] };
    return { exists: true, valid: parsed.valid, issues: parsed.issues ?? [], warnings: parsed.warnings ?? [] };
  };
}

function toVerdict(s: Snapshot): ConfigVerdict {
  return { valid: s.valid, issues: (s.issues ?? []).map(toIssue), warnings: (s.warnings ?? []).map(toIssue) };
}

function toIssue(raw: unknown): ConfigIssue {
  const i = raw as { path?: unknown; message?: unknown };
  const path = Array.isArray(i.path) ? i.path.map(String).join('.') : typeof i.path === 'string' ? i.path : '';
  return { path, message: typeof i.message === 'string' ? i.message : JSON.stringify(raw) };
}

function reply(response: WorkerResponse): void {
  writeSync(3, JSON.stringify(response));
}

await main();
process.exit(0);
