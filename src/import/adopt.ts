import { stringify } from 'yaml';
import { MANAGED_ENV } from '../openclaw/managed-env.js';
import { stateDirName } from '../openclaw/paths.js';
import { looksSecret, secretsInConfig } from '../policy/secret-literals.js';
import { pathText } from '../policy/subject.js';
import { isObject, type JsonValue } from '../util/json.js';
import type { Sensitive } from '../util/sensitive.js';
import type { EnvMap, IgnoreRule } from '../validate/manifests.js';
import { cronFromOpenclaw, type SkippedCronJob } from './cron-jobs.js';
import type { FoundStateDir, ImportProblem } from './parse-import.js';

/** Which .env values go into SOPS: every one (the default), or those that look like credentials. */
export type SecretsMode = 'all' | 'credentials';

/** Keys of openclaw.json that OpenClaw writes itself (onboarding, its own bookkeeping): never drift. */
export const OPENCLAW_OWN_KEYS: readonly string[] = ['/meta', '/wizard'];

/** What the fleet already says, as import needs it. */
export interface FleetView {
  /** Declared agents: name, host and state dir. */
  agents: readonly { name: string; host: string; stateDir: string }[];
  fleetName: string;
  /** The Fleet's defaults.ignoreDifferences. */
  ignore: readonly IgnoreRule[];
}

/** A value to put into SOPS: held as Sensitive, so no text form of it shows the value. */
export interface PendingSecret {
  file: string;
  key: string;
  value: Sensitive;
}

/** One file import writes, relative to the fleet directory. */
export interface PendingFile {
  path: string;
  text: string;
}

export interface NewAgent {
  status: 'new';
  stateDir: string;
  agent: string;
  files: PendingFile[];
  secrets: PendingSecret[];
  /** .env names kept as literals (`--secrets credentials`): none by default. */
  literals: string[];
  cron: number;
  skippedCron: SkippedCronJob[];
  warnings: string[];
}

export interface DeclaredAgent {
  status: 'declared';
  stateDir: string;
  agent: string;
}

export type Adoption = NewAgent | DeclaredAgent | { status: 'problem'; problem: ImportProblem };

/**
 * Pure: one state dir found on a host → the agent manifest, config file and SOPS values
 * that declare it as it is, or the agent that declares it already, or why it cannot be adopted.
 */
export function adopt(host: string, found: FoundStateDir, fleet: FleetView, mode: SecretsMode, openclawVersion?: string): Adoption {
  const declared = fleet.agents.find((a) => a.host === host && a.stateDir === found.stateDir);
  if (declared) return { status: 'declared', stateDir: found.stateDir, agent: declared.name };
  const problem = (message: string, hint?: string): Adoption => ({ status: 'problem', problem: { stateDir: found.stateDir, message: `host ${host}: ${message}`, ...(hint ? { hint } : {}) } });
  const owner = /^fleet=([a-z0-9-]+) agent=([a-z0-9-]+)$/.exec(found.managed ?? '');
  if (owner && owner[1] !== fleet.fleetName)
    return problem(`~/${found.stateDir} is managed by fleet ${owner[1]} (its .clawctl-managed says so); not imported`, 'two fleets must not manage one agent: remove it from that fleet first');
  // Never the host's own name: `--target HOST` means all of its agents.
  const agent = `${host}-${found.profile ?? 'default'}`;
  if (agent.length > 63) return problem(`~/${found.stateDir} would be agent ${agent}, longer than the 63 characters of a name`, 'declare it by hand, or use a shorter profile name');
  if (fleet.agents.some((a) => a.name === agent))
    return problem(`~/${found.stateDir} would be agent ${agent}, a name the fleet already uses for another agent`, 'rename that agent, then import again');
  const config = found.config;
  if (config) {
    const literals = secretsInConfig(config.value);
    if (literals.length > 0) {
      // Never copied into the fleet repo: the config file goes there as it is.
      return problem(
        `~/${found.stateDir}/openclaw.json holds what looks like credentials at ${literals.map((h) => `${pathText(h.path)} (${h.what})`).join(', ')}; not imported`,
        'on the host, move each into .env and write "${NAME}" in its place (OpenClaw substitutes it), then import again: .env values go into SOPS',
      );
    }
    const include = includePath(config.value, []);
    if (include)
      return problem(
        `~/${found.stateDir}/openclaw.json uses $include (at ${include || 'the top'}); import reads openclaw.json only`,
        'on the host, inline the included files, or declare this agent by hand with configFile and its includes',
      );
  }

  const sopsFile = `secrets/${agent}.sops.yaml`;
  const env: EnvMap = {};
  const secrets: PendingSecret[] = [];
  const literals: string[] = [];
  for (const [name, value] of Object.entries(found.env?.entries ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (name in MANAGED_ENV) continue; // clawctl writes it itself
    if (mode === 'credentials' && !looksSecret(name, value.reveal())) {
      env[name] = value.reveal();
      literals.push(name);
    } else {
      env[name] = { secretRef: { sops: sopsFile, key: name } };
      secrets.push({ file: sopsFile, key: name, value });
    }
  }

  const cron = 'jobs' in found.cron ? cronFromOpenclaw(found.cron.jobs) : { jobs: [], skipped: [] };
  const warnings: string[] = [];
  if ('error' in found.cron) warnings.push(`cron jobs not read: ${found.cron.error}; spec.cron is left out`);
  if (!config) warnings.push("has no openclaw.json: the first apply writes one from the Fleet's defaults");
  const covered = new Set(fleet.ignore.filter((r) => r.file === 'openclaw.json').flatMap((r) => r.jsonPointers));
  const ignore = OPENCLAW_OWN_KEYS.filter((p) => !covered.has(p));
  const configFile = `${agent}.json5`;
  const spec = {
    host,
    openclaw: { ...(found.profile ? { profile: found.profile } : {}), ...(config ? { configFile } : {}) },
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(cron.jobs.length > 0 ? { cron: cron.jobs } : {}),
    ...(ignore.length > 0 ? { ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ignore }] } : {}),
  };
  const header = [
    '# yaml-language-server: $schema=../../schemas/agent.schema.json',
    `# Imported by \`clawctl import ${host}\` from ~/${stateDirName(found.profile)}${openclawVersion ? ` (OpenClaw ${openclawVersion})` : ''}.`,
    ...(secrets.length > 0 ? [`# .env values are in ${sopsFile} (clawctl secrets list ${sopsFile}).`] : []),
  ];
  const manifest = { apiVersion: 'clawctl.dev/v1', kind: 'Agent', metadata: { name: agent }, spec };
  const files: PendingFile[] = [
    ...(config ? [{ path: `agents/${configFile}`, text: config.text.endsWith('\n') ? config.text : `${config.text}\n` }] : []),
    { path: `agents/${agent}.yaml`, text: `${header.join('\n')}\n${stringify(manifest, { lineWidth: 0 })}` },
  ];
  return { status: 'new', stateDir: found.stateDir, agent, files, secrets, literals, cron: cron.jobs.length, skippedCron: cron.skipped, warnings };
}

/** Where the config uses OpenClaw's $include, as a path; undefined when it does not. */
function includePath(value: JsonValue, path: (string | number)[]): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = includePath(v, [...path, i]);
      if (hit !== undefined) return hit;
    }
  } else if (isObject(value)) {
    if ('$include' in value) return pathText(path);
    for (const [k, v] of Object.entries(value)) {
      const hit = includePath(v, [...path, k]);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}
