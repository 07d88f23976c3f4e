# shellcheck shell=sh
# clawctl agents logs: one agent's gateway log (POSIX sh), after openclaw-log.sh.
#   sh -c "$LOGS" clawctl-logs SOURCE SERVICE UNIT PROFILE LINES FOLLOW
# SOURCE: file (OpenClaw's JSON log), journal (the service's), or auto (file, else journal).
# Every value is a validated name or a number. Read-only.
set -u
source=$1 service=$2 unit=$3 profile=$4 lines=$5 follow=$6
log=
[ "$source" = journal ] || log=$(openclaw_log "$profile")
if [ -n "$log" ]; then
  echo "clawctl-logs file $log"
  # --pid: stop when the session that asked goes away (an SSH channel closed by Ctrl-C).
  [ "$follow" = 1 ] && exec tail -n "$lines" -F --pid="$PPID" "$log"
  exec tail -n "$lines" "$log"
fi
case "$service" in
  systemd-user | systemd)
    [ "$source" = file ] && { echo "no OpenClaw log file for profile '${profile:-default}' under /tmp/openclaw" >&2; exit 3; }
    [ "$service" = systemd-user ] && jc="journalctl --user" || jc="journalctl"
    echo "clawctl-logs journal $unit"
    [ "$follow" = 1 ] && exec $jc -u "$unit" -n "$lines" -f --no-pager -o cat
    exec $jc -u "$unit" -n "$lines" --no-pager -o cat ;;
esac
echo "no OpenClaw log file for profile '${profile:-default}' under /tmp/openclaw, and service '$service' keeps no journal" >&2
exit 3
