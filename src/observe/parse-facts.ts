import JSON5 from 'json5';
import { storedCronJob, type StoredCronJob } from '../import/cron-jobs.js';
import { redactor } from '../diagnose/redact.js';
import { parseDotenv } from '../openclaw/dotenv.js';
import { parseUsageCost, type AgentCost } from '../openclaw/usage-cost.js';
import { serviceUnitName } from '../openclaw/paths.js';
import { unitPath } from '../openclaw/service-unit.js';
import type { ServiceKind } from '../validate/manifests.js';
import { sha256 } from '../util/hash.js';
import { isObject, type JsonObject } from '../util/json.js';
import { Sensitive } from '../util/sensitive.js';
import type { AgentProbe } from './facts-script.js';
import type { GatewayHealth, ManagedMarker, ObservedAgent, ObservedConfig, ObservedEnv, ObserverFacts, HostPlatform } from './observed-state.js';

/** One file as host-scripts/facts.sh reports it: mode, and its bytes from the blob. */
interface RawFile {
  mode: string;
  content: Buffer;
}

/** The facts script's output, sectioned (see host-scripts/facts.sh). */
export interface RawFacts {
  openclawPath?: string;
  /** The host has no curl, so no gateway could be probed. */
  noCurl: boolean;
  units: string[];
  /** URL → HTTP status (0 when nothing answered) and the seconds the answer took, when the script says. */
  http: Map<string, { code: number; seconds?: number }>;
  /** By agent index: the exit of its `openclaw gateway usage-cost` (0: its JSON is the blob's cost-INDEX), and why not. */
  costs: Map<number, { exit: string; why: string }>;
  /** Path as the script named it → file (regular files only). */
  files: Map<string, RawFile>;
  /** Paths that are symbolic links: never read, and never written through. */
  links: Set<string>;
  managed: ManagedMarker[];
  /** State dirs that hold a .env.clawctl-prev (an apply was stopped before its health gate). */
  prevEnvs: Set<string>;
  /** State dirs that hold restart.sh's mark: a restart clawctl began was cut off (its clawctl killed). */
  restarting: Set<string>;
  /** The host's side of an OpenClaw install: clawctl's versions there, its machine, missing tools. */
  platform: HostPlatform;
  /** The observation gate as installed (`observer VERSION AUTHORIZED`), when the fleet has one. */
  observer?: ObserverFacts;
  /** Under the gate: each .env's mode, and its entries as keyed hashes (or why it could not be hashed). */
  hashedEnvs: Map<string, { mode: string; entries: Record<string, string>; error?: string }>;
  /** By state dir: OpenClaw's stored cron jobs (only the fields clawctl compares), or why they could not be read. */
  cron: Map<string, { jobs: unknown[] } | { error: string }>;
}

export class FactsError extends Error {}

/** A version dir clawctl made: an exact release, nothing a host's user could name otherwise. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

const BLOB = Buffer.from('\nblob\n');

/** Pure: split the script's stdout into its sections; after `blob`, the files' raw bytes. */
export function splitFacts(stdout: Buffer): RawFacts {
  const at = stdout.indexOf(BLOB);
  const head = at < 0 ? stdout.toString('utf8') : stdout.subarray(0, at).toString('utf8');
  const lines = head.split('\n');
  if (lines[0] !== 'CLAWCTL-FACTS 2') throw new FactsError(`unexpected facts output: ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  const facts: RawFacts = {
    noCurl: false,
    units: [],
    http: new Map(),
    costs: new Map(),
    files: new Map(),
    links: new Set(),
    managed: [],
    hashedEnvs: new Map(),
    prevEnvs: new Set(),
    restarting: new Set(),
    cron: new Map(),
    platform: { installs: [], missingTools: [] },
  };
  const listed: { path: string; mode: string; size: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'nocurl') facts.noCurl = true;
    else if (line === 'units') {
      while (++i < lines.length && lines[i] !== 'end') facts.units.push(lines[i]!);
    } else if (line.startsWith('http ')) {
      // `http CODE SECONDS URL`, or `http CODE URL` from an observation gate's older facts.sh.
      const parts = line.split(' ');
      const seconds = parts.length >= 4 ? Number(parts[2]) : Number.NaN;
      facts.http.set(parts.at(-1)!, { code: Number(parts[1]), ...(Number.isFinite(seconds) && seconds >= 0 ? { seconds } : {}) });
    } else if (line.startsWith('costrc ')) {
      const m = /^costrc (\d+) (\S+) ?(.*)$/.exec(line);
      if (m) facts.costs.set(Number(m[1]), { exit: m[2]!, why: m[3]!.trim() });
    } else if (line.startsWith('openclaw ')) {
      facts.openclawPath = line.slice('openclaw '.length);
    } else if (line.startsWith('managed ')) {
      // An ownership marker apply wrote: `managed STATEDIR fleet=NAME agent=NAME [origin=adopted]`.
      const m = /^managed (\.openclaw(?:-[a-z0-9-]+)?) fleet=([a-z0-9-]+) agent=([a-z0-9-]+)( origin=adopted)?$/.exec(line);
      if (m) facts.managed.push({ stateDir: m[1]!, fleet: m[2]!, agent: m[3]!, ...(m[4] ? { adopted: true } : {}) });
    } else if (line.startsWith('prev-env ')) {
      facts.prevEnvs.add(line.slice('prev-env '.length));
    } else if (line.startsWith('restarting ')) {
      facts.restarting.add(line.slice('restarting '.length));
    } else if (line.startsWith('installed ')) {
      const version = line.slice('installed '.length);
      if (EXACT_VERSION.test(version)) facts.platform.installs.push(version);
    } else if (line.startsWith('user ')) {
      facts.platform.user = line.slice('user '.length);
    } else if (line.startsWith('home ')) {
      facts.platform.home = line.slice('home '.length);
    } else if (line.startsWith('arch ')) {
      facts.platform.arch = line.slice('arch '.length);
    } else if (line.startsWith('missing ')) {
      facts.platform.missingTools.push(line.slice('missing '.length));
    } else if (line.startsWith('observer ')) {
      const [, version, authorized] = line.split(' ');
      facts.observer = { version: version === '-' || !version ? null : version, authorized: authorized === '1' };
    } else if (line.startsWith('envfile ')) {
      // A .env under the gate: listed, never in the blob; its entries follow as envhash lines.
      const m = /^envfile (\d+) \d+ [0-9a-f]+ (.*)$/.exec(line);
      if (m) facts.hashedEnvs.set(m[2]!, { mode: m[1]!, entries: {} });
    } else if (line.startsWith('envhash ')) {
      const m = /^envhash (\S+) ([A-Za-z_][A-Za-z0-9_.-]*) ([0-9a-f]{64})$/.exec(line);
      const env = m && facts.hashedEnvs.get(m[1]!);
      if (env) env.entries[m[2]!] = m[3]!;
    } else if (line.startsWith('envhash-error ')) {
      const [, path, ...why] = line.split(' ');
      const env = facts.hashedEnvs.get(path!);
      if (env) env.error = why.join(' ');
    } else if (line.startsWith('cron ') || line.startsWith('cronerr ')) {
      // `cron STATEDIR BASE64-JSON` or `cronerr STATEDIR WHY`; an error is never overwritten.
      const m = /^(cron|cronerr) (\.openclaw(?:-[a-z0-9-]+)?) (.*)$/.exec(line);
      if (m && !(facts.cron.get(m[2]!) && 'error' in facts.cron.get(m[2]!)!)) facts.cron.set(m[2]!, m[1] === 'cron' ? decodeCron(m[3]!) : { error: m[3]! });
    } else if (line.startsWith('file ')) {
      // `file MODE SIZE RAWMODE PATH`: the raw mode's type bits say what it is (8: a regular file, a: a link).
      const m = /^file (\d+) (\d+) ([0-9a-f]+) (.*)$/.exec(line);
      if (!m) continue;
      const type = parseInt(m[3]!, 16) & 0xf000;
      if (type === 0x8000) listed.push({ mode: m[1]!, size: Number(m[2]), path: m[4]! });
      else if (type === 0xa000) facts.links.add(m[4]!);
    }
  }
  if (at < 0) throw new FactsError('facts output ended early; was the connection cut?');
  const blob = stdout.subarray(at + BLOB.length);
  const total = listed.reduce((n, f) => n + f.size, 0);
  if (blob.length !== total) throw new FactsError('files changed while they were being read; plan again');
  let offset = 0;
  for (const f of listed) {
    facts.files.set(f.path, { mode: f.mode, content: blob.subarray(offset, offset + f.size) });
    offset += f.size;
  }
  return facts;
}

/** Pure: facts script stdout → what clawctl knows of each agent, in the order they were asked. */
export function parseFacts(
  stdout: Buffer,
  host: string,
  agents: readonly (AgentProbe & { name: string })[],
  fleetKey: string,
  serviceKind?: ServiceKind,
): { openclaw: { path?: string; version?: string }; agents: ObservedAgent[]; managed: ManagedMarker[]; platform: HostPlatform; observer?: ObserverFacts } {
  const raw = splitFacts(stdout);
  const version = installedVersion(raw);
  const observed = agents.map((a, i): ObservedAgent => {
    const config = raw.files.get(`${a.stateDir}/openclaw.json`);
    const env = observedEnv(raw, `${a.stateDir}/.env`, host, fleetKey);
    const service = raw.units[i];
    const links = [a.stateDir, `${a.stateDir}/openclaw.json`, `${a.stateDir}/.env`].filter((p) => raw.links.has(p));
    const cron = observedCron(raw, a.stateDir, host);
    return {
      name: a.name,
      host,
      ...(links.length > 0 ? { links: links.map((p) => `~/${p}`) } : {}),
      config: config ? parseConfig(config.mode, config.content.toString('utf8')) : null,
      env,
      health: parseHealth(raw, a.port, i),
      ...(a.cost ? { cost: observedCost(raw, i, host, env) } : {}),
      ...(raw.prevEnvs.has(a.stateDir) ? { prevEnv: true } : {}),
      ...(raw.restarting.has(a.stateDir) ? { restartCutOff: true } : {}),
      ...(serviceKind === 'systemd-user' || serviceKind === 'systemd' ? { unit: raw.files.get(unitPath(serviceKind, serviceUnitName(a.profile)))?.content.toString('utf8') ?? null } : {}),
      ...(service ? { service } : {}),
      ...(cron ? { cron } : {}),
      // .env by its entries' keyed hashes: the same whether read out or hashed by the gate; cron jobs when read.
      fingerprint: sha256(
        JSON.stringify([
          config?.mode,
          config ? sha256(config.content) : null,
          env?.mode,
          env ? Object.entries(env.entries).map(([k, v]) => [k, v.fullHash]) : null,
          version ?? null,
          ...(cron ? [cron] : []),
        ]),
      ),
    };
  });
  return {
    openclaw: { ...(raw.openclawPath ? { path: raw.openclawPath } : {}), ...(version ? { version } : {}) },
    agents: observed,
    managed: raw.managed,
    platform: raw.platform,
    ...(raw.observer ? { observer: raw.observer } : {}),
  };
}

/** A .env read out (a full key), or hashed on the host by the observation gate. */
function observedEnv(raw: RawFacts, path: string, host: string, fleetKey: string): ObservedEnv | null {
  const hashed = raw.hashedEnvs.get(path);
  if (hashed?.error) throw new FactsError(`host ${host}: the observation gate could not hash ~/${path}: ${hashed.error}`);
  if (hashed) return { mode: hashed.mode, entries: Object.fromEntries(Object.entries(hashed.entries).map(([k, h]) => [k, Sensitive.ofHash(h)])) };
  const file = raw.files.get(path);
  return file ? parseEnv(file.mode, file.content.toString('utf8'), fleetKey) : null;
}

/**
 * The agent's spend when it was asked for: read from the blob, or unknown with the reason (its
 * gateway down, the CLI missing or failing, junk output). What the CLI said is redacted of the
 * agent's .env values and anything shaped like a credential.
 */
function observedCost(raw: RawFacts, index: number, host: string, env: ObservedEnv | null): AgentCost {
  const ran = raw.costs.get(index);
  if (!ran) return { state: 'unknown', reason: `host ${host}: its gateway is not running, and OpenClaw reports usage cost through it` };
  if (ran.exit !== '0') {
    const what = ran.exit === '124' ? 'timed out' : ran.exit === 'none' ? 'did not run' : `exited ${ran.exit}`;
    const why = redactor(Object.values(env?.entries ?? {}))(cliMessage(ran.why)).slice(0, 300);
    return { state: 'unknown', reason: `host ${host}: openclaw gateway usage-cost ${what}${why ? `: ${why}` : ''}` };
  }
  const body = [...raw.files].find(([path]) => path.endsWith(`/cost-${index}`))?.[1];
  return parseUsageCost(body?.content.toString('utf8') ?? '', host);
}

/** OpenClaw's --json error (`{"ok": false, "error": {"message": …}}`) says it best; other text as it came. */
function cliMessage(text: string): string {
  const m = /"message":\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!m) return text;
  try {
    return (JSON.parse(m[1]!) as string).replace(/\s+/g, ' ');
  } catch {
    return text;
  }
}

/** The agent's cron jobs when they were read; one that could not be read is never planned blind. */
function observedCron(raw: RawFacts, stateDir: string, host: string): StoredCronJob[] | undefined {
  const read = raw.cron.get(stateDir);
  if (!read) return undefined;
  if ('error' in read) throw new FactsError(`host ${host}: OpenClaw's cron jobs in ~/${stateDir} could not be read: ${read.error}`);
  return read.jobs.flatMap((j) => storedCronJob(j) ?? []);
}

function decodeCron(base64: string): { jobs: unknown[] } | { error: string } {
  try {
    const value = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown;
    return Array.isArray(value) ? { jobs: value } : { error: 'the cron store is not a list of jobs' };
  } catch {
    return { error: 'the cron jobs arrived garbled' };
  }
}

function installedVersion(raw: RawFacts): string | undefined {
  for (const [path, file] of raw.files) {
    if (!path.endsWith('package.json') || path.includes('/startupz-') || path.includes('/cost-')) continue;
    try {
      const pkg = JSON.parse(file.content.toString('utf8')) as unknown;
      if (isObject(pkg) && pkg.name === 'openclaw' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not the package we look for
    }
  }
  return undefined;
}

function parseConfig(mode: string, text: string): ObservedConfig {
  try {
    // OpenClaw reads JSON5, so a hand-edited file with comments is still a valid config.
    const value = JSON5.parse(text) as unknown;
    if (!isObject(value)) return { mode, value: null, parseError: 'not a JSON object' };
    return { mode, value: value as JsonObject };
  } catch (err) {
    return { mode, value: null, parseError: (err as Error).message };
  }
}

function parseEnv(mode: string, text: string, fleetKey: string): ObservedEnv {
  const entries: Record<string, Sensitive> = {};
  for (const [name, value] of Object.entries(parseDotenv(text))) entries[name] = new Sensitive(value, fleetKey);
  return { mode, entries };
}

/** A port with no listener was not probed: nothing is there. Without curl, health is unknown. */
function parseHealth(raw: RawFacts, port: number, index: number): GatewayHealth {
  const ready = raw.http.get(`http://127.0.0.1:${port}/readyz`);
  if (ready === undefined) return { state: raw.noCurl ? 'unknown' : 'down' };
  const state: GatewayHealth['state'] = ready.code === 200 ? 'ready' : ready.code === 0 ? 'down' : 'not-ready';
  const body = [...raw.files].find(([path]) => path.endsWith(`/startupz-${index}`))?.[1];
  const version = body ? startupVersion(body.content.toString('utf8')) : undefined;
  // Only an answer has a response time: a refused connection's is how fast nothing happened.
  const responseMs = ready.code !== 0 && ready.seconds !== undefined ? Math.round(ready.seconds * 1000) : undefined;
  return { state, ...(version ? { version } : {}), ...(responseMs !== undefined ? { responseMs } : {}) };
}

function startupVersion(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as unknown;
    if (isObject(json) && typeof json.version === 'string') return json.version;
  } catch {
    // not JSON: something else on the port
  }
  return undefined;
}
