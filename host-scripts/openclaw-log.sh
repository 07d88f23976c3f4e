# shellcheck shell=sh
# Prepended to the scripts that read OpenClaw's own log (diagnose.sh, logs.sh).
# The newest rolling log of a profile: /tmp/openclaw/openclaw[-PROFILE]-YYYY-MM-DD.log, else
# the per-uid directory OpenClaw falls back to when /tmp/openclaw is not its own.
openclaw_log() {
  name=openclaw${1:+-$1}
  # shellcheck disable=SC2012 # the names are OpenClaw's own fixed pattern; ls -t sorts by time
  ls -t /tmp/openclaw/"$name"-????-??-??.log /tmp/openclaw-"$(id -u)"/"$name"-????-??-??.log 2>/dev/null | head -n 1
}
