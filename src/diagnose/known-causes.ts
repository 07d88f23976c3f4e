import type { DesiredAgent } from '../desired/desired-state.js';
import { isObject } from '../util/json.js';

/**
 * Failures recognisable by what OpenClaw (or Node, or systemd) writes: a signature, the
 * cause in words, and the fix. Checked against the log and journal lines of a failing agent,
 * most specific first.
 */
export interface KnownCause {
  id: string;
  signature: RegExp;
  cause: string;
  fix: string;
  /**
   * The fix as a manifest change, when it is one: `clawctl propose` edits for the agent. None
   * when its manifest already has it (the host's file drifted, or the log line is old): then
   * the fix is an apply, or nothing.
   */
  patch?: (agent: DesiredAgent) => ManifestPatch | undefined;
}

/** Edits in `clawctl propose`'s own words: `--set KIND/NAME:PATH=VALUE`, `--unset KIND/NAME:PATH`. */
export interface ManifestPatch {
  set: string[];
  unset: string[];
}

// Signatures from OpenClaw 2026.9's own troubleshooting pages (docs/gateway/troubleshooting/
// gateway-service-and-process.md, config-validation-and-probes.md, channel-delivery-and-tools.md)
// and from Node and systemd themselves.
export const KNOWN_CAUSES: readonly KnownCause[] = [
  {
    id: 'port-in-use',
    signature: /another gateway instance is already listening|EADDRINUSE|address already in use/i,
    cause: 'another process holds the gateway port, so the gateway cannot listen',
    fix: 'stop the other process, or give this agent its own `gateway.port` in the manifest and apply',
  },
  {
    id: 'gateway-mode-unset',
    signature: /Gateway start blocked: set gateway\.mode=local|existing config is missing gateway\.mode|status=78\/CONFIG/,
    cause: 'openclaw.json sets no `gateway.mode`, and the gateway refuses to start without one (exit 78)',
    fix: 'set `gateway: {mode: local}` in the Fleet defaults (or the agent) and apply',
    patch: (agent) => (isObject(agent.config.gateway) && agent.config.gateway.mode !== undefined ? undefined : { set: [`agent/${agent.name}:spec.openclaw.config.gateway.mode=local`], unset: [] }),
  },
  {
    id: 'bind-without-auth',
    signature: /refusing to bind gateway .*without auth/i,
    cause: 'the gateway binds beyond loopback without token or password auth, and refuses to start',
    fix: 'set `gateway.auth.mode: token` with `token: "${OPENCLAW_GATEWAY_TOKEN}"` from a secretRef, or bind loopback/tailnet',
  },
  {
    id: 'config-invalid',
    signature: /Invalid config at|config reload skipped \(invalid config\)|Config write rejected:/,
    cause: "openclaw.json does not pass this OpenClaw version's schema",
    fix: 'run `clawctl validate` with the pinned OpenClaw on PATH, fix the key it names, and apply',
  },
  {
    id: 'unit-port-mismatch',
    signature: /Gateway service port does not match current gateway config/,
    cause: 'the installed service unit still starts the gateway with an old --port',
    fix: "reinstall the unit as the agent's user: `openclaw gateway install --force`, then restart it",
  },
  {
    id: 'memory-pressure',
    signature: /memory pressure: level=critical/,
    cause: 'the gateway ran out of memory headroom',
    fix: 'give the host more memory or run fewer agents on it; `openclaw gateway status` shows the heap settings',
  },
  {
    id: 'node-too-old',
    signature: /requires Node(?:\.js)? (?:>=? ?)?v?\d+|Unsupported engine/i,
    cause: "the host's Node.js is older than OpenClaw needs (>= 24.16)",
    fix: 'install Node.js 24.16 or later on the host, then restart the gateway',
  },
  {
    id: 'permission-denied',
    signature: /EACCES|EPERM|permission denied/i,
    cause: 'OpenClaw cannot read or write its state directory or a file in it',
    fix: "make the state directory and its files owned by the agent's user (`chown -R`), mode 0700/0600",
  },
  {
    id: 'channel-auth',
    signature: /(?:telegram|slack|discord).*(?:\b401\b|\b403\b|unauthori[sz]ed|Forbidden|missing_scope|not_in_channel)|(?:\b401\b|unauthori[sz]ed).*(?:telegram|slack|discord)/i,
    cause: 'a channel rejects its credentials (bot token or app permissions)',
    fix: "check the channel's token and scopes (e.g. TELEGRAM_BOT_TOKEN with @BotFather), `clawctl secrets rotate` it, and apply",
  },
  {
    id: 'provider-auth',
    signature: /(?:no|missing) api key|invalid (?:x-)?api[ _-]?key|incorrect api key|authentication_error|401 Unauthorized/i,
    cause: 'a model provider rejects the API key, or none is set',
    fix: "check the provider's key in the agent's env (`clawctl secrets get … KEY`), rotate it if needed, and apply",
  },
];

export function matchKnownCause(lines: readonly string[]): { cause: KnownCause; line: string } | undefined {
  for (const cause of KNOWN_CAUSES) {
    const line = lines.find((l) => cause.signature.test(l));
    if (line !== undefined) return { cause, line };
  }
  return undefined;
}
