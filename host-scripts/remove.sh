# shellcheck shell=sh
# clawctl: remove an agent that left the fleet (POSIX sh), after gateway-lock.sh.
#   sh -c "$REMOVE" clawctl-remove STATEDIR SERVICE UNIT PROFILE LIMIT GRACE
# Only a state dir clawctl's marker says it made; its gateway is stopped within LIMIT seconds
# (SIGKILL after GRACE, as in restart.sh), then the dir is moved aside: data is kept for a
# person to delete.
set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
dir="$HOME/$1" service=$2 unit=$3 profile=$4 limit=$5 grace=$6
[ -f "$dir/.clawctl-managed" ] || { echo "$dir holds no .clawctl-managed marker; clawctl removes only what it made"; exit 66; }
case "$service" in
  systemd-user | systemd)
    if [ "$service" = systemd-user ]; then sc="systemctl --user"; elif [ "$(id -u)" = 0 ]; then sc=systemctl; else sc="sudo -n systemctl"; fi
    # shellcheck disable=SC2086 # $sc is a command and its options
    timeout -k 2 "$limit" $sc disable --now "$unit" 2>/dev/null || timeout 10 $sc kill --signal=SIGKILL "$unit" 2>/dev/null || true ;;
  process)
    holder=$(gateway_pid "$dir")
    if [ -n "$holder" ]; then
      rest=${holder#* }
      stop_gateway "${holder%% *}" "${rest%% *}" "$grace" || { echo "clawctl: gateway pid ${holder%% *} still runs after SIGKILL; $dir left in place"; exit 1; }
    else
      # No lock to read (nothing runs, or an OpenClaw older than the lock in the state dir).
      if [ -n "$profile" ]; then set -- --profile "$profile"; else set --; fi
      OPENCLAW_STATE_DIR="$dir" timeout -k 2 "$limit" openclaw "$@" gateway stop >/dev/null 2>&1 || true
    fi ;;
esac
mv "$dir" "$dir.clawctl-removed-$(date -u +%Y%m%dT%H%M%SZ)"
