# shellcheck shell=sh
# Prepended to the scripts that look for an agent's gateway process (restart.sh, remove.sh,
# diagnose.sh). OpenClaw 2026.9 keeps its gateway lock in the state dir
# (docs/gateway/gateway-lock.md; dist: resolveGatewayLockDir, acquireLockFile):
#   <state dir>/tmp/openclaw-<uid>/gateway.state.lock
# JSON, two-space indented, naming the owner's "pid", when it took the lock ("createdAt", new
# on every in-process restart) and on Linux its "startTime" (field 22 of /proc/<pid>/stat).
# The file outlives a killed gateway, so a pid counts only while a live process has that start
# time: OpenClaw's own liveness rule, which also keeps a reused pid from being signalled.

# gateway_lock STATEDIR: "PID START CREATED" of the live holder; nothing when there is none.
gateway_lock() {
  gl_file="$1/tmp/openclaw-$(id -u)/gateway.state.lock"
  [ -f "$gl_file" ] || return 0
  gl_line=$(awk '$1 == "\"pid\":" { p = $2 } $1 == "\"startTime\":" { s = $2 } $1 == "\"createdAt\":" { c = $2 }
    END { gsub(/[^0-9]/, "", p); gsub(/[^0-9]/, "", s); gsub(/[",]/, "", c); if (p != "") print p, (s == "" ? "-" : s), (c == "" ? "-" : c) }' "$gl_file" 2>/dev/null)
  [ -n "$gl_line" ] || return 0
  # shellcheck disable=SC2086 # three words, digits and an ISO time
  pid_alive $gl_line && printf '%s\n' "$gl_line"
  return 0
}

# gateway_pid STATEDIR: "PID START CREATED" of the agent's gateway: the lock's live holder, else
# the gateway restart.sh last started there while that very process runs (its pid file). A new
# gateway holds no lock for its first seconds, and a restart cut off just after starting one
# must not have the next restart start a second beside it.
gateway_pid() {
  gp_line=$(gateway_lock "$1")
  [ -z "$gp_line" ] || { printf '%s\n' "$gp_line"; return 0; }
  gp_file="$1/clawctl-gateway.pid"
  { [ -f "$gp_file" ] && [ ! -L "$gp_file" ]; } || return 0
  read -r gp_pid gp_start _ < "$gp_file" || true
  case "${gp_pid:-x}${gp_start:-x}" in *[!0-9]*) return 0 ;; esac
  pid_alive "$gp_pid" "$gp_start" && printf '%s %s -\n' "$gp_pid" "$gp_start"
  return 0
}

# proc_stat PID: sets ps_state (R, S, Z, …) and ps_start (its start time, field 22 of
# /proc/PID/stat); false once it is gone.
proc_stat() {
  ps_line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # After the command name (which may hold spaces and parens): state, then field 22 is 20th.
  # shellcheck disable=SC2086 # numbers and one state letter
  set -- ${ps_line##*) }
  ps_state=$1 ps_start=${20:-}
}

# pid_alive PID START: PID is a live process (not a zombie) with that start time ("-": any).
pid_alive() {
  proc_stat "$1" || return 1
  [ "$ps_state" != Z ] || return 1
  [ "$2" = - ] || [ "$ps_start" = "$2" ]
}

# wait_gone PID START SECONDS: true once PID is gone, false if it still runs after SECONDS.
wait_gone() {
  wg_end=$(( $(date +%s) + $3 ))
  while pid_alive "$1" "$2"; do
    [ "$(date +%s)" -lt "$wg_end" ] || return 1
    sleep 1
  done
}

# stop_gateway PID START GRACE: SIGTERM, and SIGKILL if it still runs GRACE seconds later. A
# gateway whose channel cannot stop ignores further SIGTERMs ("received SIGTERM during
# shutdown; ignoring") and would hold its lock for minutes.
stop_gateway() {
  kill -TERM "$1" 2>/dev/null || return 0
  echo "clawctl: sent SIGTERM to gateway pid $1"
  wait_gone "$1" "$2" "$3" && return 0
  echo "clawctl-forced: gateway pid $1 was still stopping $3 s after SIGTERM; sent SIGKILL"
  kill -KILL "$1" 2>/dev/null || true
  wait_gone "$1" "$2" 10
}
