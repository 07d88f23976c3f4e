/** OpenClaw's own conventions for where an installation lives on its host. */

/** The gateway's port when openclaw.json sets none (OpenClaw's default). */
export const DEFAULT_GATEWAY_PORT = 18789;

/** State dir relative to the home: ~/.openclaw, or ~/.openclaw-<profile> as `--profile` picks it. */
export function stateDirName(profile: string | undefined): string {
  return profile ? `.openclaw-${profile}` : '.openclaw';
}

/** The profile a state dir name stands for: the inverse of stateDirName. */
export function profileOfStateDir(stateDir: string): string | undefined {
  return stateDir.startsWith('.openclaw-') ? stateDir.slice('.openclaw-'.length) : undefined;
}

/** The gateway's service unit, as `openclaw gateway install` names it. */
export function serviceUnitName(profile: string | undefined): string {
  return profile ? `openclaw-gateway-${profile}.service` : 'openclaw-gateway.service';
}

export const CONFIG_FILE = 'openclaw.json';
export const ENV_FILE = '.env';
export type ManagedFile = typeof CONFIG_FILE | typeof ENV_FILE;
