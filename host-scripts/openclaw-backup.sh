# shellcheck shell=sh
# clawctl: back up one agent's OpenClaw state before its host switches version (POSIX sh),
# after refuse-links.sh.
#   sh -c "$SCRIPT" clawctl-openclaw-backup STATEDIR PROFILE VERSION
# Made by the version that runs now, VERSION (OpenClaw's own `backup create --verify`), kept on
# the host under ~/.local/share/clawctl/backups/STATEDIR/VERSION/, private: it holds the agent's
# secrets. A downgrade to VERSION restores the newest one there (OpenClaw does not reverse its
# own state migrations).
# Prints OpenClaw's JSON result (its archivePath names the archive).
set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
state=$1 profile=$2 version=$3
fail() { echo "clawctl: $*" >&2; exit 1; }
case $state in .openclaw | .openclaw-[a-z0-9]*) ;; *) fail "bad state dir $state" ;; esac
case $version in [0-9]*.[0-9]*.[0-9]*) ;; *) fail "bad version $version" ;; esac
case $version in *[!0-9A-Za-z.-]*) fail "bad version $version" ;; esac
root="$HOME/.local/share/clawctl/backups"
refuse_links "$HOME/.local" "$HOME/.local/share" "$HOME/.local/share/clawctl" "$root" "$root/$state" "$root/$state/$version" "$HOME/$state"
umask 077
mkdir -p "$root/$state/$version"
if [ -n "$profile" ]; then set -- --profile "$profile"; else set --; fi
# Run from the backups dir: OpenClaw refuses an output inside the state it backs up.
cd "$root/$state/$version"
OPENCLAW_STATE_DIR="$HOME/$state" openclaw "$@" backup create --verify --output "$root/$state/$version" --json
