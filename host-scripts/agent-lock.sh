# shellcheck shell=sh
# clawctl: run a command that changes one agent while holding that agent's lock (POSIX sh).
#   sh -c "$AGENT_LOCK" clawctl-agent-lock STATEDIR WAIT COMMAND ARGS...
# Why: a script on the host goes on after its clawctl has gone (SIGKILLed, a cut connection)
# until it next writes a line, so a kill mid-restart leaves a restart running that the next
# apply's own restart of the same agent must not race. The lock is flock(1)'s on the state dir,
# opened read-only (nothing is created, nothing is written through a link). This shell holds
# it while COMMAND runs and the kernel drops it however this shell ends; COMMAND gets no copy
# of it, so a gateway it starts does not keep it. WAIT: seconds to wait for a holder, then 75.
# Without flock (util-linux), or before the state dir exists, COMMAND runs unlocked.
set -u
dir="$HOME/$1" wait=$2
shift 2
locked() {
  if ! flock -w "$wait" 9; then
    echo "clawctl: another clawctl command was still changing \$HOME/${dir#"$HOME"/} after $wait s (one whose clawctl was stopped, or an apply from another machine); nothing was changed: try again once it ends" >&2
    return 75
  fi
  "$@" 9<&-
}
if [ -d "$dir" ] && [ ! -L "$dir" ] && command -v flock >/dev/null 2>&1; then
  locked "$@" 9<"$dir"
  exit $?
fi
exec "$@"
