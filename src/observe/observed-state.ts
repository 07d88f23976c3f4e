import type { StoredCronJob } from '../import/cron-jobs.js';
import type { AgentCost } from '../openclaw/usage-cost.js';
import type { JsonObject } from '../util/json.js';
import type { Sensitive } from '../util/sensitive.js';

export interface ObservedConfig {
  mode: string;
  /** Parsed openclaw.json; null when the file does not parse (then every key is drift). */
  value: JsonObject | null;
  parseError?: string;
}

export interface ObservedEnv {
  mode: string;
  entries: Record<string, Sensitive>;
}

/** The gateway as its own HTTP probes describe it. */
export interface GatewayHealth {
  /** 'ready' when /readyz answers 200, 'not-ready' for any other answer, 'down' when nothing listens. */
  state: 'ready' | 'not-ready' | 'down' | 'unknown';
  /** The running gateway's version, from /startupz, when it says. */
  version?: string;
  /** How long /readyz took to answer, in milliseconds (none when nothing answered). */
  responseMs?: number;
}

export interface ObservedAgent {
  name: string;
  host: string;
  config: ObservedConfig | null;
  env: ObservedEnv | null;
  health: GatewayHealth;
  /** systemctl is-active, for systemd services; undefined when the host has no service manager. */
  service?: string;
  /** A .env.clawctl-prev is there: an apply was stopped before it could drop the old secrets. */
  prevEnv?: boolean;
  /**
   * A restart clawctl began did not finish (restart.sh's mark is there): its clawctl was killed
   * mid-restart, which can leave the gateway stopped. Unlike a gateway someone stopped, it is
   * started again.
   */
  restartCutOff?: boolean;
  /** The gateway's unit file as it is (null: there is none), for systemd services only. */
  unit?: string | null;
  /** Hash of what apply depends on (files, modes, installed version): a saved plan is bound to it. */
  fingerprint: string;
  /** The state dir or a managed file is a symbolic link (the host's user made it one): not touched. */
  links?: string[];
  /**
   * OpenClaw's cron jobs in the agent's state, read only when the agent declares jobs or clawctl
   * added some there (undefined: not read).
   */
  cron?: StoredCronJob[];
  /** Its spend, from OpenClaw's own usage cost, when the observation asked for it. */
  cost?: AgentCost;
}

/** An agent state dir that clawctl's apply made for a fleet (its `.clawctl-managed` file). */
export interface ManagedMarker {
  stateDir: string;
  fleet: string;
  agent: string;
  /** clawctl took it over rather than made it (import): leaving the fleet forgets it, never removes it. */
  adopted?: boolean;
}

/** The observation gate on a host: the version it was installed at, and whether its key line is there. */
export interface ObserverFacts {
  version: string | null;
  authorized: boolean;
}

/** What an OpenClaw install by clawctl finds on a host. */
export interface HostPlatform {
  /** `uname -m`: x86_64, aarch64, … */
  arch?: string;
  /** The user and their home, for a system unit (which cannot say %h). */
  user?: string;
  home?: string;
  /** Versions complete under ~/.local/share/clawctl/openclaw/, side by side. */
  installs: string[];
  /** Tools an install needs that the host lacks (tar, gzip, sha256sum). */
  missingTools: string[];
}

export type HostObservation =
  | { host: string; ok: true; openclaw: { path?: string; version?: string }; agents: ObservedAgent[]; managed: ManagedMarker[]; platform: HostPlatform; observer?: ObserverFacts }
  | { host: string; ok: false; error: string; hint?: string };

export interface ObservedState {
  hosts: HostObservation[];
}

/** Every host and every observed agent by name. */
export interface ObservedIndex {
  hosts: Map<string, HostObservation>;
  agents: Map<string, ObservedAgent>;
}

export function indexObserved(observed: ObservedState): ObservedIndex {
  const hosts = new Map<string, HostObservation>();
  const agents = new Map<string, ObservedAgent>();
  for (const h of observed.hosts) {
    hosts.set(h.host, h);
    if (h.ok) for (const a of h.agents) agents.set(a.name, a);
  }
  return { hosts, agents };
}
