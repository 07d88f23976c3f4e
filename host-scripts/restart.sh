# shellcheck shell=sh
# clawctl: restart one agent's gateway within a bound (POSIX sh), after refuse-links.sh and
# gateway-lock.sh.
#   sh -c "$RESTART" clawctl-restart SERVICE UNIT STATEDIR PROFILE PORT MODE LIMIT GRACE
# MODE: reuse (OpenClaw's own `gateway restart`, in-process for a plain process) or fresh (a
# new process: an in-process restart keeps the environment it loaded and the code it runs, so
# a changed .env or OpenClaw version needs one). LIMIT: seconds the restart may take (the
# Fleet's rollout.healthTimeoutSeconds); GRACE: seconds from SIGTERM to SIGKILL.
# Why a bound: OpenClaw's stop drains for up to 330 s, and a channel that cannot reach its
# API never finishes stopping; the old process then holds the gateway lock and no new one starts.
# Lines "clawctl: …" say what was done, "clawctl-forced: …" what had to be forced.
set -u
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
umask 077
service=$1 unit=$2 state="$HOME/$3" profile=$4 port=$5 mode=$6 limit=$7 grace=$8
# The mark of a restart begun and not finished (facts.sh reports it): a restart whose clawctl is
# killed goes on only to its next line of output, and may stop the gateway without starting one.
# With the mark there and the gateway down, the next apply starts it again; a gateway down
# without the mark was stopped by someone, and is left so. Every way out but a kill removes it.
mark="$state/.clawctl-restarting"
refuse_links "$state" "$mark"
rm -f "$mark"
(set -C && : > "$mark") 2>/dev/null
trap 'rm -f "$mark"' EXIT
end=$(( $(date +%s) + limit ))
budget=$(( limit - grace ))
[ "$budget" -ge 1 ] || budget=1

case "$service" in
  systemd-user | systemd)
    if [ "$service" = systemd-user ]; then sc="systemctl --user"; elif [ "$(id -u)" = 0 ]; then sc=systemctl; else sc="sudo -n systemctl"; fi
    # systemd itself sends SIGTERM, and SIGKILL only after the unit's TimeoutStopSec (330 s
    # in OpenClaw's unit). Killing the systemctl client leaves the restart job queued.
    # shellcheck disable=SC2086 # $sc is a command and its options
    timeout -k 2 "$budget" $sc restart "$unit"
    rc=$?
    [ "$rc" = 0 ] && exit 0
    # 124: the bound passed (137: and systemctl needed SIGKILL to go).
    case $rc in 124 | 137) ;; *) echo "clawctl: $sc restart $unit exited $rc"; exit "$rc" ;; esac
    # shellcheck disable=SC2086
    if [ "$(timeout 10 $sc show -p ActiveState --value "$unit")" = deactivating ]; then
      echo "clawctl-forced: $unit was still stopping after $budget s; sent SIGKILL to its processes (systemctl kill)"
      # shellcheck disable=SC2086
      timeout 10 $sc kill --signal=SIGKILL "$unit"
    fi
    st=unknown
    while [ "$(date +%s)" -lt "$end" ]; do
      # shellcheck disable=SC2086
      st=$(timeout 10 $sc show -p ActiveState --value "$unit")
      [ "$st" = active ] && exit 0
      sleep 1
    done
    echo "clawctl: $unit is $st, not active, $limit s after the restart"
    exit 1 ;;
  process) ;;
  *) echo "clawctl: service $service: clawctl does not run this gateway"; exit 2 ;;
esac

answers() { command -v curl >/dev/null 2>&1 && [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ]; }
if [ -n "$profile" ]; then set -- --profile "$profile"; else set --; fi
export OPENCLAW_STATE_DIR="$state"
before=$(gateway_lock "$state")
# A gateway that answers but holds no lock clawctl can read (an OpenClaw from before the lock
# moved into the state dir) is left to OpenClaw's own restart, whatever the mode.
if [ "$mode" = reuse ] || { [ -z "$before" ] && answers; }; then
  [ "$mode" = reuse ] || echo "clawctl: no gateway lock in $state; asking OpenClaw to restart the gateway"
  timeout -k 2 "$budget" openclaw "$@" gateway restart
  rc=$?
  [ "$rc" = 0 ] && exit 0
  now=$(gateway_lock "$state")
  # A different pid, or the same one with a new lock (an in-process restart that got through).
  if [ -n "$now" ] && [ "$now" != "$before" ]; then echo "clawctl: a new gateway holds the lock (pid ${now%% *})"; exit 0; fi
  case $rc in
    124 | 137) echo "clawctl-forced: openclaw gateway restart did not finish within $budget s" ;;
    *) echo "clawctl: openclaw gateway restart exited $rc; starting the gateway afresh" ;;
  esac
fi

holder=$(gateway_pid "$state")
if [ -n "$holder" ]; then
  pid=${holder%% *} rest=${holder#* }
  left=$(( end - $(date +%s) - 5 ))
  [ "$left" -lt "$grace" ] || left=$grace
  [ "$left" -ge 1 ] || left=1
  stop_gateway "$pid" "${rest%% *}" "$left" || { echo "clawctl: gateway pid $pid still runs after SIGKILL"; exit 1; }
elif answers; then
  echo "clawctl: a gateway answers on port $port but holds no lock in $state; not starting another beside it"
  exit 1
fi
# In its own session, so it outlives this SSH session. OpenClaw writes its own log file; what
# it prints before it has one (a refused config, a crash at start) goes to clawctl-gateway.log,
# and its pid to clawctl-gateway.pid, both in the state dir (never through a planted link).
log="$state/clawctl-gateway.log" pidfile="$state/clawctl-gateway.pid"
[ -L "$log" ] && rm -f "$log"
rm -f "$pidfile"
if command -v setsid >/dev/null 2>&1; then
  setsid openclaw "$@" gateway run </dev/null >>"$log" 2>&1 &
else
  nohup openclaw "$@" gateway run </dev/null >>"$log" 2>&1 &
fi
pid=$!
proc_stat "$pid" || ps_start="" # gone already: no start time to vouch for it
(set -C && echo "$pid $ps_start" > "$pidfile")
# Started: the mark goes before any output, which a client that has gone would end us on.
rm -f "$mark"
echo "clawctl: started a new gateway process, pid $pid"
