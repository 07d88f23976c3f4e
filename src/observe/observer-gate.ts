import { hostScript } from '../openclaw/host-script.js';
import { serviceUnitName } from '../openclaw/paths.js';
import { fingerprint, parsePinnedKey } from '../ssh/host-key.js';
import { keyedHash, sha256 } from '../util/hash.js';
import type { ServiceKind } from '../validate/manifests.js';
import { type AgentProbe, FACTS_SCRIPT } from './facts-script.js';

/**
 * The observation key: a key the hosts accept only for the facts script, so a job that holds
 * it (the pull-request plan, the drift check) can read no secret and change nothing. Each host
 * runs host-scripts/observe-gate.sh as the key's forced command; the gate runs its own copy of
 * facts.sh, which reports .env as keyed hashes (host-scripts/env-hash.mjs).
 */

/** The fleet's observation key as the hosts should hold it, and the digest of that setup. */
export interface DesiredObserver {
  /** The key's comment in authorized_keys, and how facts.sh finds the line: clawctl-observer:FLEET. */
  marker: string;
  /** SHA256:… of the public key, for plans and output. */
  keyFingerprint: string;
  /** Whether clawctl keeps the line in ~/.ssh/authorized_keys (false: the user installs `line` themselves). */
  authorize: boolean;
  line: string;
  files: Readonly<Record<ObserverFile, string>>;
  /** Digest of everything installed: the host's `~/.clawctl/observe/version` says which it has. */
  version: string;
}

type ObserverFile = 'gate.sh' | 'facts.sh' | 'env-hash.mjs' | 'hash-key';

const GATE = hostScript('observe-gate.sh');
const ENV_HASH = hostScript('env-hash.mjs');
const INSTALL = hostScript('refuse-links.sh', 'observer-install.sh');

export const observerMarker = (fleet: string) => `clawctl-observer:${fleet}`;

/** `restrict` turns off forwarding, a pty and user rc; `command=` pins what the key runs. */
export function authorizedLine(publicKey: string, marker: string): string {
  const { type, blob } = parsePinnedKey(publicKey);
  return `restrict,command="sh .clawctl/observe/gate.sh" ${type} ${blob.toString('base64')} ${marker}`;
}

export function desiredObserver(fleet: string, publicKey: string, authorize: boolean, hashKey: string): DesiredObserver {
  const marker = observerMarker(fleet);
  const line = authorizedLine(publicKey, marker);
  // The host holds the hash key in the clear (it holds the values it hashes anyway); the
  // digest commits to it by a keyed hash, so the plan shows none of it.
  const files = { 'gate.sh': GATE, 'facts.sh': FACTS_SCRIPT, 'env-hash.mjs': ENV_HASH, 'hash-key': hashKey };
  const version = sha256(JSON.stringify([GATE, FACTS_SCRIPT, ENV_HASH, keyedHash('clawctl observer', hashKey), authorize ? line : null])).slice(0, 16);
  return { marker, keyFingerprint: fingerprint(parsePinnedKey(publicKey).blob), authorize, line, files, version };
}

/** Whether this run holds only the observation key (CLAWCTL_OBSERVER=1, as the plan and drift workflows set). */
export function observesThroughGate(): boolean {
  return process.env.CLAWCTL_OBSERVER === '1';
}

/**
 * The command the gate accepts: fixed words, each agent as STATEDIR:PORT:UNIT[:cron] (validated
 * names and a number, which the gate checks again), so it needs no shell to read it.
 */
export function gatedFactsArgv(marker: string, service: ServiceKind, agents: readonly AgentProbe[]): string[] {
  return ['clawctl-observe', marker, service, ...agents.map((a) => `${a.stateDir}:${a.port}:${serviceUnitName(a.profile)}${a.cron?.length ? ':cron' : ''}`)];
}

const INSTALL_ORDER = ['gate.sh', 'facts.sh', 'env-hash.mjs', 'hash-key'] as const;

/** install: argv, and stdin with one base64 line per file (the hash key never in a command line). */
export function observerInstall(o: DesiredObserver): { argv: string[]; stdin: string } {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const lines = [...INSTALL_ORDER.map((f) => b64(o.files[f])), b64(o.line), b64(o.version)];
  return { argv: ['sh', '-c', INSTALL, 'clawctl-observer', 'install', o.marker, o.authorize ? 'yes' : 'no'], stdin: `${lines.join('\n')}\n` };
}

export const observerRemoveArgv = (marker: string) => ['sh', '-c', INSTALL, 'clawctl-observer', 'remove', marker];
