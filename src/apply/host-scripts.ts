import type { ServiceKind } from '../validate/manifests.js';

/**
 * The commands apply runs on a host. Each is a fixed POSIX sh script; every value (state
 * dir, file names, version, unit, port) arrives as an argument, and file contents arrive on
 * stdin, one base64 line per file: secrets never appear in a command line or `ps`.
 */

const PRELUDE = String.raw`set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
umask 077
`;

/** Exit code of the install script when OpenClaw rejects the candidate config. */
export const CONFIG_REJECTED = 65;

/**
 * Stage every file as a temp file beside its target, check the candidate openclaw.json
 * with the host's own OpenClaw (when installed), then for each file: fsync, keep the
 * current one as <file>.clawctl-prev, rename into place, fsync the directory. A rejected
 * candidate or a kill at any point leaves every live file old or new, never partial.
 */
const INSTALL = String.raw`
dir="$HOME/$1"; owner=$2; shift 2
[ -d "$dir" ] || { mkdir -p "$dir"; chmod 700 "$dir"; }
for name in "$@"; do
  IFS= read -r line || true
  printf '%s' "$line" | base64 -d > "$dir/.clawctl-new.$name"
done
cand="$dir/.clawctl-new.openclaw.json"
if [ -f "$cand" ] && command -v openclaw >/dev/null 2>&1; then
  if ! out=$(OPENCLAW_CONFIG_PATH="$cand" OPENCLAW_STATE_DIR="$dir" openclaw config validate --json 2>&1); then
    for name in "$@"; do rm -f "$dir/.clawctl-new.$name"; done
    printf '%s\n' "$out"
    exit 65
  fi
fi
for name in "$@"; do
  sync "$dir/.clawctl-new.$name" 2>/dev/null || sync
  if [ -e "$dir/$name" ]; then ln -f "$dir/$name" "$dir/$name.clawctl-prev"; else rm -f "$dir/$name.clawctl-prev"; fi
  mv -f "$dir/.clawctl-new.$name" "$dir/$name"
done
# The ownership marker: this state dir belongs to that fleet's agent, so it can be pruned
# when the agent leaves the fleet, and never when another tool made it.
printf '%s\n' "$owner" > "$dir/.clawctl-new.managed" && mv -f "$dir/.clawctl-new.managed" "$dir/.clawctl-managed"
sync "$dir" 2>/dev/null || sync
`;

/** Put back what INSTALL replaced: <file>.clawctl-prev, or no file where there was none. */
const ROLLBACK = String.raw`
dir="$HOME/$1"; shift
for name in "$@"; do
  if [ -e "$dir/$name.clawctl-prev" ]; then mv -f "$dir/$name.clawctl-prev" "$dir/$name"; else rm -f "$dir/$name"; fi
done
sync "$dir" 2>/dev/null || sync
`;

const INSTALL_VERSION = String.raw`
command -v npm >/dev/null 2>&1 || { echo "npm not found on the host; install Node.js >= 24 and npm first" >&2; exit 127; }
npm install --global --no-fund --no-audit "openclaw@$1"
`;

const RESTART = String.raw`
case "$1" in
  systemd-user) systemctl --user restart "$2" ;;
  systemd) if [ "$(id -u)" = 0 ]; then systemctl restart "$2"; else sudo -n systemctl restart "$2"; fi ;;
  process)
    state="$HOME/$3"
    if [ -n "$4" ]; then set -- --profile "$4"; else set --; fi
    OPENCLAW_STATE_DIR="$state" openclaw "$@" gateway restart ;;
esac
`;

/**
 * Remove an agent that left the fleet: only a state dir clawctl's marker says it made; stop
 * and disable its gateway, then move the dir aside (data is kept for a person to delete).
 */
const REMOVE = String.raw`
dir="$HOME/$1"
[ -f "$dir/.clawctl-managed" ] || { echo "$dir holds no .clawctl-managed marker; clawctl removes only what it made"; exit 66; }
case "$2" in
  systemd-user) systemctl --user disable --now "$3" 2>/dev/null || true ;;
  systemd) if [ "$(id -u)" = 0 ]; then systemctl disable --now "$3"; else sudo -n systemctl disable --now "$3"; fi 2>/dev/null || true ;;
  process)
    if [ -n "$4" ]; then set -- --profile "$4"; else set --; fi
    OPENCLAW_STATE_DIR="$dir" openclaw "$@" gateway stop 2>/dev/null || true ;;
esac
mv "$dir" "$dir.clawctl-removed-$(date -u +%Y%m%dT%H%M%SZ)"
`;

/** Poll the gateway's /readyz until it answers 200 or the timeout passes. */
const WAIT_READY = String.raw`
end=$(( $(date +%s) + $2 ))
while :; do
  code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz" 2>/dev/null || true)
  [ "$code" = 200 ] && exit 0
  [ "$(date +%s)" -ge "$end" ] && { echo "gateway on port $1 not ready after $2 s (last /readyz: $code)"; exit 1; }
  sleep 1
done
`;

const script = (body: string, ...args: string[]) => ['sh', '-c', PRELUDE + body, 'clawctl', ...args];

/** The marker line: fleet and agent names are DNS labels, so one line of two words holds them. */
export const ownerLine = (fleet: string, agent: string) => `fleet=${fleet} agent=${agent}`;
export const installFilesArgv = (stateDir: string, owner: string, names: readonly string[]) => script(INSTALL, stateDir, owner, ...names);
export const rollbackFilesArgv = (stateDir: string, names: readonly string[]) => script(ROLLBACK, stateDir, ...names);
export const installVersionArgv = (version: string) => script(INSTALL_VERSION, version);
export const restartArgv = (service: ServiceKind, unit: string, stateDir: string, profile: string | undefined) =>
  script(RESTART, service, unit, stateDir, profile ?? '');
export const removeAgentArgv = (stateDir: string, service: ServiceKind, unit: string, profile: string | undefined) => script(REMOVE, stateDir, service, unit, profile ?? '');
export const waitReadyArgv = (port: number, timeoutSeconds: number) => script(WAIT_READY, String(port), String(timeoutSeconds));
