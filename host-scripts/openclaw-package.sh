# shellcheck shell=sh disable=SC2034 # oc, dir and pkg are for the script this is put before
# clawctl: a fragment put before the scripts that report the OpenClaw a host runs (POSIX sh).
# find_openclaw: sets oc to the openclaw on PATH, dir to the directory its link resolves to, and
# pkg to its package.json (what names its version), each empty when there is none.
find_openclaw() {
  oc="" dir="" pkg=""
  # command -v in this shell first: the subshell that captures the path is paid only if found.
  command -v openclaw >/dev/null 2>&1 && oc=$(command -v openclaw) || return 0
  real=$(readlink -f "$oc")
  dir=${real%/*}
  # An npm install's bin link, clawctl's own install (<version>/bin/openclaw), or a global prefix.
  for p in "$dir/package.json" "$dir/../node_modules/openclaw/package.json" "$dir/../package.json" "$dir/../lib/node_modules/openclaw/package.json"; do
    [ -f "$p" ] && { pkg=$p; return 0; }
  done
}
