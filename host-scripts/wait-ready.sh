# shellcheck shell=sh
# clawctl: wait until the gateway's /readyz answers 200, for at most TIMEOUT seconds (POSIX sh).
#   sh -c "$WAIT_READY" clawctl-wait-ready PORT TIMEOUT [VERSION]
# With VERSION, its /startupz must also report that OpenClaw version: after an upgrade, a
# ready gateway still on the old version is not the one apply started.
set -u
port=$1 limit=$2 version=${3-}
end=$(( $(date +%s) + limit ))
code=
while :; do
  code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" 2>/dev/null || true)
  if [ "$code" = 200 ]; then
    [ -z "$version" ] && exit 0
    body=$(curl -s -m 2 "http://127.0.0.1:$port/startupz" 2>/dev/null || true)
    case $body in *"\"version\":\"$version\""*) exit 0 ;; esac
    code="200, but /startupz does not report OpenClaw $version"
  fi
  [ "$(date +%s)" -ge "$end" ] && { echo "gateway on port $port not ready after $limit s (last /readyz: $code)"; exit 1; }
  sleep 1
done
