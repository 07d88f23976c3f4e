# shellcheck shell=sh
# clawctl: install one OpenClaw version for this user (POSIX sh).
#   sh -c "$INSTALL_VERSION" clawctl-install-version VERSION
set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
command -v npm >/dev/null 2>&1 || { echo "npm not found on the host; install Node.js >= 24 and npm first" >&2; exit 127; }
# An exact release (2026.9.6, 2026.10.0-beta.1) and nothing else: never a tag, a range, a URL
# or another package (npm:left-pad@1.3.0), whatever the plan file said.
case $1 in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "refusing to install openclaw version '$1': not an exact release" >&2; exit 64 ;;
esac
case $1 in
  *[!0-9A-Za-z.-]*) echo "refusing to install openclaw version '$1': not an exact release" >&2; exit 64 ;;
esac
npm install --global --no-fund --no-audit "openclaw@$1"
