# shellcheck shell=sh
# clawctl: wait until the gateway's /readyz answers 200, for at most TIMEOUT seconds (POSIX sh).
#   sh -c "$WAIT_READY" clawctl-wait-ready PORT TIMEOUT
set -u
port=$1 limit=$2
end=$(( $(date +%s) + limit ))
code=
while :; do
  code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" 2>/dev/null || true)
  [ "$code" = 200 ] && exit 0
  [ "$(date +%s)" -ge "$end" ] && { echo "gateway on port $port not ready after $limit s (last /readyz: $code)"; exit 1; }
  sleep 1
done
