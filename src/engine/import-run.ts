import { lstat, mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { AuditSink } from '../audit/audit-log.js';
import { ConnectionPool } from '../connection/pool.js';
import { ec2NotReachable, locatedHosts } from '../observe/locate-ec2.js';
import { HostUnreachableError } from '../connection/connection.js';
import { renderDesired } from '../desired/render.js';
import { adopt, type Adoption, type NewAgent, type SecretsMode } from '../import/adopt.js';
import { importArgv } from '../import/import-script.js';
import { ImportFactsError, parseImport, type ImportProblem } from '../import/parse-import.js';
import { loadFleet } from '../load/load-fleet.js';
import { stateDirName } from '../openclaw/paths.js';
import { ClawctlError } from '../util/errors.js';
import { validateFleet } from '../validate/validate-fleet.js';
import { setSecret, type SecretWriteResult } from '../secrets/secrets-run.js';

export interface ImportOptions {
  fleetDir: string;
  host: string;
  dryRun: boolean;
  secrets: SecretsMode;
  audit: AuditSink;
}

/** One state dir found on the host, and what import did (or, with --dry-run, would do) with it. */
export interface ImportedAgent {
  stateDir: string;
  /** imported: manifests written; would-import: --dry-run; declared: an agent of the fleet is it already. */
  status: 'imported' | 'would-import' | 'declared';
  agent: string;
  /** Files written (or to be written), relative to the fleet directory. */
  files: string[];
  /** .env values put into SOPS: where, and their hashes as plan prints them; never values. */
  secrets: { location: string; key: string; action?: SecretWriteResult['action']; hash?: string }[];
  /** .env names kept as literals (--secrets credentials). */
  literals: string[];
  cronJobs: number;
  skippedCronJobs: { name: string; reason: string }[];
  warnings: string[];
}

export interface ImportResult {
  host: string;
  dryRun: boolean;
  /** The OpenClaw version installed on the host, if any. */
  openclawVersion?: string;
  agents: ImportedAgent[];
  /** What could not be adopted, each naming the host; import exits 1 when there is any. */
  problems: ImportProblem[];
  /** With --dry-run: each file's text as it would be written (no secret values are in any). */
  preview?: { path: string; text: string }[];
}

/**
 * `clawctl import HOST`: read every OpenClaw state dir on a declared host (one exec, nothing
 * written there) and declare each as an Agent: its config file as it is, its .env values in
 * SOPS, its cron jobs. Agents the fleet declares already are reported, never written again.
 */
export async function importHost(opts: ImportOptions): Promise<ImportResult> {
  const loaded = await loadFleet(opts.fleetDir);
  const manifests = await validateFleet(loaded);
  const desired = renderDesired(loaded, manifests);
  const host = desired.hosts.find((h) => h.name === opts.host);
  if (!host) {
    throw new ClawctlError(`no host named ${opts.host} in ${opts.fleetDir}`, [
      {
        message: `${opts.host}: the fleet declares no host of that name`,
        hint: `hosts: ${desired.hosts.map((h) => h.name).join(', ') || '(none)'}; declare it first (clawctl hosts keyscan ADDRESS prints its hostKey line)`,
      },
    ]);
  }
  // An EC2 Host where its instance is now (found by its tags), as plan finds it.
  const [located] = await locatedHosts(desired, [host]);
  const notReachable = ec2NotReachable(located!);
  if (notReachable) throw new ClawctlError(notReachable.error, [{ message: notReachable.error, hint: notReachable.hint }]);
  const stdout = await gather(located!);
  const facts = (() => {
    try {
      return parseImport(stdout, host.name);
    } catch (err) {
      if (err instanceof ImportFactsError) throw new ClawctlError(err.message, [{ message: err.message }]);
      throw err;
    }
  })();
  const fleetView = {
    fleetName: manifests.fleet.manifest.metadata.name,
    ignore: manifests.fleet.manifest.spec.defaults?.ignoreDifferences ?? [],
    agents: manifests.agents.map(({ manifest }) => ({ name: manifest.metadata.name, host: manifest.spec.host, stateDir: stateDirName(manifest.spec.openclaw?.profile) })),
  };
  const adoptions: Adoption[] = facts.dirs.map((d) => adopt(host.name, d, fleetView, opts.secrets, facts.openclawVersion));
  // A declared agent is reported as declared even when its files are amiss: that is plan's to say.
  for (const p of facts.problems) {
    const agent = fleetView.agents.find((a) => a.host === host.name && a.stateDir === p.stateDir);
    if (agent) adoptions.push({ status: 'declared', stateDir: agent.stateDir, agent: agent.name });
  }
  const problems = [
    ...facts.problems.filter((p) => !adoptions.some((a) => a.status === 'declared' && a.stateDir === p.stateDir)),
    ...adoptions.flatMap((a) => (a.status === 'problem' ? [a.problem] : [])),
  ];
  const fresh = adoptions.filter((a): a is NewAgent => a.status === 'new');
  for (const [i, a] of fresh.entries()) {
    if (fresh.slice(0, i).some((b) => b.agent === a.agent))
      problems.push({
        stateDir: a.stateDir,
        message: `host ${host.name}: ~/${a.stateDir} would be agent ${a.agent} too; not imported`,
        hint: 'declare one of them by hand under another name, then import again',
      });
    else problems.push(...(await collisions(opts.fleetDir, host.name, a)));
  }
  const writable = fresh.filter((a) => !problems.some((p) => p.stateDir === a.stateDir));

  const agents: ImportedAgent[] = adoptions.flatMap((a): ImportedAgent[] =>
    a.status === 'declared' ? [{ stateDir: a.stateDir, status: 'declared', agent: a.agent, files: [], secrets: [], literals: [], cronJobs: 0, skippedCronJobs: [], warnings: [] }] : [],
  );
  const ctx = { fleetDir: opts.fleetDir, manifests, audit: opts.audit };
  for (const a of writable) {
    const secrets: ImportedAgent['secrets'] = [];
    if (!opts.dryRun) {
      // Values first: a manifest never names a secret that is not there yet.
      for (const s of a.secrets) {
        const r = await setSecret(ctx, { kind: 'sops', file: s.file }, s.key, s.value.reveal(), 'set');
        secrets.push({ location: r.location, key: r.key, action: r.action, ...(r.after ? { hash: r.after } : {}) });
      }
      for (const f of a.files) await writeNew(opts.fleetDir, f.path, f.text);
    } else {
      secrets.push(...a.secrets.map((s) => ({ location: s.file, key: s.key })));
    }
    agents.push({
      stateDir: a.stateDir,
      status: opts.dryRun ? 'would-import' : 'imported',
      agent: a.agent,
      files: a.files.map((f) => f.path),
      secrets,
      literals: a.literals,
      cronJobs: a.cron,
      skippedCronJobs: a.skippedCron,
      warnings: a.warnings,
    });
  }
  agents.sort((x, y) => x.stateDir.localeCompare(y.stateDir));
  return {
    host: host.name,
    dryRun: opts.dryRun,
    ...(facts.openclawVersion ? { openclawVersion: facts.openclawVersion } : {}),
    agents,
    problems,
    ...(opts.dryRun ? { preview: writable.flatMap((a) => a.files) } : {}),
  };
}

/** The host's import output, from one exec bounded by the host's command deadline. */
async function gather(host: Parameters<ConnectionPool['get']>[0]): Promise<Buffer> {
  const pool = new ConnectionPool();
  try {
    const conn = await pool.get(host);
    const res = await conn.exec(importArgv());
    if (res.code !== 0) throw new HostUnreachableError(host.name, `the import script failed (exit ${res.code}): ${res.stderr.trim().slice(0, 300) || 'no output'}`);
    return res.bytes;
  } catch (err) {
    if (err instanceof HostUnreachableError) throw new ClawctlError(err.message, [{ message: err.message, ...(err.hint ? { hint: err.hint } : {}) }]);
    throw err;
  } finally {
    await pool.closeAll();
  }
}

/** Files import would write that exist already, or whose directory leads out of the fleet through a link. */
async function collisions(fleetDir: string, host: string, a: NewAgent): Promise<ImportProblem[]> {
  const out: ImportProblem[] = [];
  const root = await realpath(fleetDir);
  for (const f of a.files) {
    const path = join(fleetDir, f.path);
    const existing = await lstat(path).catch(() => undefined);
    if (existing) {
      out.push({
        stateDir: a.stateDir,
        message: `host ${host}: ~/${a.stateDir} would be written to ${f.path}, which exists and does not declare it; nothing was written for it`,
        hint: 'move that file aside or declare the agent there, then import again',
      });
      continue;
    }
    const dir = await realpath(dirname(path)).catch(() => undefined);
    if (dir !== undefined && dir !== root && !dir.startsWith(root + sep)) {
      out.push({ stateDir: a.stateDir, message: `${relative(fleetDir, dirname(path)) || '.'} leads out of the fleet directory through a link; nothing was written for ~/${a.stateDir}` });
    }
  }
  return out;
}

/** A new file, created exclusively: never over another, never through a link. */
async function writeNew(fleetDir: string, path: string, text: string): Promise<void> {
  const full = join(fleetDir, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, text, { flag: 'wx', mode: 0o644 });
}
