# shellcheck shell=sh
# clawctl: install one OpenClaw version for this user (POSIX sh).
#   sh -c "$INSTALL_VERSION" clawctl-install-version VERSION
set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
command -v npm >/dev/null 2>&1 || { echo "npm not found on the host; install Node.js >= 24 and npm first" >&2; exit 127; }
npm install --global --no-fund --no-audit "openclaw@$1"
