# shellcheck shell=sh
# clawctl: after a healthy apply, drop the previous .env (POSIX sh).
#   sh -c "$FORGET_ENV" clawctl-forget-env STATEDIR
# .env.clawctl-prev exists only to roll back a failed apply; once the agent passed its health
# gate it would just keep rotated-out secrets on disk. (openclaw.json's is kept: it holds no
# secret values, and shows a person what the last apply changed.)
set -eu
dir="$HOME/$1"
rm -f "$dir/.env.clawctl-prev"
sync "$dir" 2>/dev/null || sync
