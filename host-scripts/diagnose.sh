# shellcheck shell=sh
# clawctl diagnose: what explains one agent's health, in one exec (POSIX sh), after
# openclaw-log.sh and gateway-lock.sh.
#   sh -c "$DIAGNOSE" clawctl-diagnose SERVICE STATEDIR PORT UNIT PROFILE LOGLINES
# Every value is a validated name or a number (see facts.sh); PROFILE may be empty.
# Read-only: nothing here changes the host.
set -u
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
service=$1 statedir=$2 port=$3 unit=$4 profile=$5 lines=$6
echo "CLAWCTL-DIAGNOSE 1"
echo "user $(id -un 2>/dev/null) $(id -u)"
dir="$HOME/$statedir"
if [ -d "$dir" ]; then echo "state $(stat -c '%a %U' "$dir")"; else echo "state missing"; fi
for f in openclaw.json .env; do
  if [ -f "$dir/$f" ]; then echo "file $f $(stat -c '%a %U %s' "$dir/$f")"; else echo "file $f missing"; fi
done

if command -v openclaw >/dev/null 2>&1; then
  echo "openclaw $(command -v openclaw)"
  if [ -f "$dir/openclaw.json" ]; then
    # The verdict whole (its JSON parses only whole); OpenClaw's stderr apart, after it.
    echo "validate-begin"
    exec 3>&1
    verr=$({ OPENCLAW_STATE_DIR="$dir" OPENCLAW_CONFIG_PATH="$dir/openclaw.json" timeout 60 openclaw config validate --json | head -c 262144 >&3; } 2>&1)
    exec 3>&-
    echo "validate-end"
    [ -z "$verr" ] || { echo "validate-stderr-begin"; printf '%s\n' "$verr" | tail -n 5; echo "validate-stderr-end"; }
  fi
else
  echo "openclaw none"
fi
command -v node >/dev/null 2>&1 && echo "node $(node --version 2>/dev/null)"

# Who listens on the gateway port: the gateway, something else, or nobody.
listen=$(awk -v p="$port" 'function hex(s, i, n) { for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return n }
  $4 == "0A" { a = $2; sub(/.*:/, "", a); if (hex(a) == p) { print "yes"; exit } }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
echo "listen ${listen:-no}"
# The live process that holds the gateway lock: one stuck stopping holds it without listening.
holder=$(gateway_lock "$dir")
[ -z "$holder" ] || echo "lock ${holder%% *}"

case "$service" in
  systemd-user | systemd)
    [ "$service" = systemd-user ] && sc="systemctl --user" || sc="systemctl"
    echo "unit $($sc show -p LoadState -p ActiveState -p SubState -p Result -p ExecMainStatus -p NRestarts "$unit" 2>/dev/null | tr '\n' ' ')"
    echo "journal-begin"
    [ "$service" = systemd-user ] && jc="journalctl --user" || jc="journalctl"
    $jc -u "$unit" -n "$lines" --no-pager -o cat 2>/dev/null
    echo "journal-end" ;;
esac

if [ "$listen" = yes ] && command -v curl >/dev/null 2>&1; then
  for probe in healthz readyz startupz; do
    echo "http-begin $probe"
    curl -s -m 3 -w '\nstatus %{http_code}\n' "http://127.0.0.1:$port/$probe" 2>/dev/null | tail -c 2000
    echo "http-end"
  done
fi

log=$(openclaw_log "$profile")
if [ -n "$log" ]; then
  echo "log-begin $log"
  tail -n "$lines" "$log"
  echo "log-end"
fi
echo "end"
