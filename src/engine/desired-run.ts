import type { AuditSink } from '../audit/audit-log.js';
import type { DesiredState } from '../desired/desired-state.js';
import { renderDesired } from '../desired/render.js';
import { loadFleet } from '../load/load-fleet.js';
import type { ObservedState } from '../observe/observed-state.js';
import { checkOpenclawConfigs, configCheckErrors, type ConfigCheck } from '../openclaw/config-check.js';
import type { ResolvedSecrets } from '../secrets/resolve.js';
import type { Manifests } from '../validate/manifests.js';
import { validateFleet } from '../validate/validate-fleet.js';
import type { EngineHooks } from '../events/hooks.js';

export interface Desired {
  manifests: Manifests;
  desired: DesiredState;
}

/**
 * load → validate → (resolve secrets) → render. No host is touched. With `secrets`, .env
 * values come from the fleet's hash record (plan, views) or, with `decrypt`, are decrypted
 * (apply); validate needs neither.
 */
export async function loadDesired(fleetDir: string, opts: { secrets: false } | { secrets: true; decrypt: boolean; audit: AuditSink; purpose: string }, cwd = process.cwd()): Promise<Desired> {
  const loaded = await loadFleet(fleetDir, cwd);
  const manifests = await validateFleet(loaded, cwd);
  let secrets: ResolvedSecrets | undefined;
  if (opts.secrets) {
    // Loaded only here: validate reads no secret.
    const { resolveSecrets } = await import('../secrets/resolve.js');
    secrets = await resolveSecrets(fleetDir, manifests, { decrypt: opts.decrypt });
    await opts.audit.record(secrets.locations.map((target) => ({ action: 'secret.read', target, result: 'ok', details: { for: opts.purpose } })));
  }
  return { manifests, desired: renderDesired(loaded, manifests, secrets) };
}

/**
 * How OpenClaw's own config check counts: `enforce` makes a config it refuses an error (plan,
 * apply; views such as status only report it); `require` makes a check that could not run one too.
 */
export interface OpenclawCheckMode {
  enforce: boolean;
  require: boolean;
}

/**
 * OpenClaw's own check of every config in scope, at the pinned version or the one installed
 * on the agent's host; a refused config (and with `require`, an unchecked one) is an error.
 */
export async function checkConfigs(
  manifests: Manifests,
  desired: DesiredState,
  observed: ObservedState | undefined,
  opts: { openclawCheck: OpenclawCheckMode; hooks: EngineHooks },
): Promise<ConfigCheck[]> {
  const hostVersions = observed ? new Map(observed.hosts.map((h) => [h.host, h.ok ? h.openclaw.version : undefined])) : undefined;
  const checks = await checkOpenclawConfigs(manifests, desired, {
    ...(hostVersions ? { hostVersions } : {}),
    onFetch: (version, dir) => opts.hooks.emit({ type: 'openclaw-fetch', version, dir }),
  });
  const err = opts.openclawCheck.enforce ? configCheckErrors(checks, opts.openclawCheck.require) : undefined;
  if (err) throw err;
  return checks;
}
