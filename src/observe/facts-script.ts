import type { ServiceKind } from '../validate/manifests.js';
import { serviceUnitName } from '../openclaw/paths.js';

/** What the facts script needs to know of each agent on a host. */
export interface AgentProbe {
  stateDir: string;
  port: number;
  profile?: string;
}

/**
 * Every fact of every agent on a host, in one exec: the managed files (mode and content),
 * the installed OpenClaw version, the gateway's own HTTP probes and the service state.
 * POSIX sh and coreutils only, so it runs on a fresh host. Arguments arrive as argv
 * ($1…), never spliced into the script text. Every value printed is base64, hex or digits,
 * so the printf'd JSON is always well formed.
 */
const FACTS_SCRIPT = String.raw`
set -u
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
service=$1; shift
b64() { base64 | tr -d '\n'; }
tmp=$(mktemp -d) || exit 70
trap 'rm -rf "$tmp"' EXIT
probe() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 3 -o "$2.body" -w '%{http_code}' "http://127.0.0.1:$1/$3" > "$2.code" 2>/dev/null || echo 0 > "$2.code"
  elif command -v wget >/dev/null 2>&1; then
    if wget -q -T 3 -O "$2.body" "http://127.0.0.1:$1/$3" 2>/dev/null; then echo 200 > "$2.code"; else echo 0 > "$2.code"; fi
  else
    echo 0 > "$2.code"; : > "$2.body"
  fi
}
file_fact() {
  if [ -f "$1" ]; then
    printf '{"mode":"%s","content":"%s"}' "$(stat -c %a "$1")" "$(b64 < "$1")"
  else
    printf 'null'
  fi
}
http_fact() {
  c=$(tr -cd '0-9' < "$1.code"); [ -n "$c" ] || c=0
  printf '{"code":%d,"body":"%s"}' "$((c + 0))" "$(head -c 4096 "$1.body" 2>/dev/null | b64)"
}
probes() { probe "$3" "$tmp/r$1" readyz & probe "$3" "$tmp/s$1" startupz & }
agent_fact() {
  case "$service" in
    systemd-user) state=$(systemctl --user is-active "$4" 2>/dev/null || true) ;;
    systemd) state=$(systemctl is-active "$4" 2>/dev/null || true) ;;
    *) state="" ;;
  esac
  printf '{"config":%s,"env":%s,"readyz":%s,"startupz":%s,"service":"%s"}' \
    "$(file_fact "$HOME/$2/openclaw.json")" "$(file_fact "$HOME/$2/.env")" \
    "$(http_fact "$tmp/r$1")" "$(http_fact "$tmp/s$1")" "$(printf %s "$state" | b64)"
}
i=0
for spec in "$@"; do
  probes "$i" $spec
  i=$((i + 1))
done
wait
oc=$(command -v openclaw 2>/dev/null || true)
version=""
if [ -n "$oc" ]; then
  dir=$(dirname "$(readlink -f "$oc")")
  for p in "$dir/package.json" "$dir/../package.json" "$dir/../lib/node_modules/openclaw/package.json"; do
    if [ -f "$p" ] && grep -q '"name": *"openclaw"' "$p"; then
      version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$p" | head -n 1)
      break
    fi
  done
fi
printf '{"format":1,"openclaw":{"path":"%s","version":"%s"},"agents":[' "$(printf %s "$oc" | b64)" "$(printf %s "$version" | b64)"
i=0
for spec in "$@"; do
  [ "$i" -gt 0 ] && printf ','
  agent_fact "$i" $spec
  i=$((i + 1))
done
printf ']}\n'
`;

/**
 * The argv for one host. Each agent travels as one word "stateDir port unit": all three are
 * validated names and numbers (DNS-label profiles), so word splitting inside the script is safe.
 */
export function factsArgv(service: ServiceKind, agents: readonly AgentProbe[]): string[] {
  return ['sh', '-c', FACTS_SCRIPT, 'clawctl-facts', service, ...agents.map((a) => `${a.stateDir} ${a.port} ${serviceUnitName(a.profile)}`)];
}
