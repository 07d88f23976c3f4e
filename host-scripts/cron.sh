# shellcheck shell=sh
# clawctl: one change to an agent's cron jobs, through its running gateway (POSIX sh).
#   sh -c "$CRON" clawctl-cron STATEDIR PROFILE PORT MARKER SUBCOMMAND WORD...
# SUBCOMMAND is add, edit or rm, and each WORD one word of `openclaw cron`'s command line as
# clawctl built it (`--name=…`): no value goes through a shell. OpenClaw keeps jobs in its own
# state and changes them only through the gateway, which `--port` reaches.
# MARKER keep: ~/STATEDIR/.clawctl-cron stays, so facts.sh reads this agent's jobs even when the
# manifest names none (to remove clawctl's); drop: removed, as clawctl has no job here any more.
set -u
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
state=$1 profile=$2 port=$3 marker=$4
shift 4
mark="$HOME/$state/.clawctl-cron"
[ -L "$mark" ] && { echo "\$HOME/$state/.clawctl-cron is a symbolic link; clawctl never writes through a link"; exit 66; }
if [ -n "$profile" ]; then set -- --profile "$profile" cron "$@"; else set -- cron "$@"; fi
OPENCLAW_STATE_DIR="$HOME/$state" openclaw "$@" --port "$port" --json || exit $?
case $marker in
  keep) [ -f "$mark" ] || : > "$mark" ;;
  drop) rm -f "$mark" ;;
esac
