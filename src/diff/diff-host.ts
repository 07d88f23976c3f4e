import semver from 'semver';
import type { DesiredHost } from '../desired/desired-state.js';
import type { HostPlatform, ObserverFacts } from '../observe/observed-state.js';
import type { DesiredObserver } from '../observe/observer-gate.js';
import { hostArch } from '../openclaw/host-arch.js';
import { NODE_VERSION } from '../openclaw/toolchain.js';
import type { HostAction, ObserverAction, OpenclawInstallAction } from '../plan/plan.js';

/** What a host itself has, as observing it found. */
export interface HostFacts {
  openclaw: { version?: string };
  platform: HostPlatform;
  observer?: ObserverFacts;
}

/** Why a host cannot be set up as the fleet says: planned as unreachable, with its agents. */
export interface HostProblem {
  error: string;
  hint: string;
}

/**
 * Pure: what a host itself (not one of its agents) needs: the OpenClaw version its agents pin,
 * installed; the observation gate, installed at the fleet's version or removed.
 */
export function diffHost(host: DesiredHost, observer: DesiredObserver | undefined, facts: HostFacts): HostAction[] | HostProblem {
  const install = diffInstall(host, facts);
  if (install && 'error' in install) return install;
  return [...(install ? [install] : []), ...diffObserver(observer, facts.observer)];
}

function diffInstall(host: DesiredHost, facts: HostFacts): OpenclawInstallAction | HostProblem | undefined {
  const to = host.openclawVersion;
  const from = facts.openclaw.version ?? null;
  if (!to || to === from) return undefined;
  const unpacked = facts.platform.installs.includes(to);
  const arch = hostArch(facts.platform.arch);
  if (!arch) {
    return {
      error: `host ${host.name}: OpenClaw ${to} cannot be installed on a ${facts.platform.arch ?? 'machine of unknown kind'}; clawctl installs Node for x86_64 and aarch64 Linux`,
      hint: "run this host's agents on an x86_64 or aarch64 Linux machine",
    };
  }
  const missing = unpacked ? [] : facts.platform.missingTools;
  if (missing.length > 0) {
    return {
      error: `host ${host.name} has no ${missing.join(', ')}, which installing OpenClaw ${to} needs`,
      hint: `install ${missing.join(' and ')} on the host (Debian/Ubuntu: apt-get install ${missing.join(' ')}), then plan again`,
    };
  }
  const restore = from !== null && semver.valid(from) !== null && semver.valid(to) !== null && semver.lt(to, from);
  return { type: 'openclaw', action: from ? 'update' : 'create', from, to, node: NODE_VERSION, arch, unpacked, restore };
}

function diffObserver(desired: DesiredObserver | undefined, observed: ObserverFacts | undefined): ObserverAction[] {
  if (!desired) return observed?.version ? [{ type: 'observer', action: 'delete' }] : [];
  const current = observed?.version === desired.version && (observed.authorized || !desired.authorize);
  if (current) return [];
  return [{ type: 'observer', action: observed?.version ? 'update' : 'create', key: desired.keyFingerprint, version: desired.version, authorizedKeys: desired.authorize }];
}
