# shellcheck shell=sh disable=SC2086 # word splitting of the lists below is wanted (see set -f)
# clawctl facts: every fact of every agent on this host, in one exec (POSIX sh).
#   sh -c "$FACTS" clawctl-facts SERVICE MARKER "STATEDIR PORT UNIT [cron] [cost]" ...
# `cron`: the agent declares cron jobs, so OpenClaw's jobs in its state are read too (as they
# are where clawctl added some: its .clawctl-cron marker in the state dir).
# `cost`: the agent's spend is read from its running gateway (`openclaw gateway usage-cost`,
# from OpenClaw's own session logs and model prices): one OpenClaw CLI per such agent, all at
# once and each under a deadline, and only when its port has a listener.
# MARKER is the fleet's observation key comment (clawctl-observer:FLEET), or - when it has none.
# Under the observation gate (observe-gate.sh), CLAWCTL_FACTS_ENV_HASH names the hash key file:
# each .env is then reported as keyed hashes of its entries, never read out.
# State dirs are validated names (.openclaw or .openclaw-<dns label>), ports numbers, units
# fixed patterns: none holds a space or a glob, so word splitting below is safe.
# Every fork counts (a host costs what its forks cost): a fixed few per host, never per
# agent or per file, and curl only when a gateway port has a listener.
set -u
set -f
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
service=$1 marker=$2
shift 2
hashkey=${CLAWCTL_FACTS_ENV_HASH-}
echo "CLAWCTL-FACTS 2"
# A home that does not exist yet (a fresh local host) holds nothing: every file is missing.
cd "$HOME" 2>/dev/null || { echo blob; exit 0; }

# Ports with a listener (no probe of a dead port). ss asks the kernel for listening sockets
# only; /proc/net/tcp lists every connection on the machine, which a busy host pays for by the
# thousand (~14 ms here with 650 sockets, against 3 ms for ss). awk on it where ss is missing.
# add_listeners SOCKETS: the local port of each line of `ss -Hltn`, added to $listening (a
# function for its own "$@", and called, not captured: no fork).
listening=" "
add_listeners() {
  IFS='
'
  for line in $1; do
    IFS=' '
    set -- $line
    listening="$listening${4##*:} "
  done
  IFS=' '
}
if command -v ss >/dev/null 2>&1 && sockets=$(ss -Hltn 2>/dev/null); then
  add_listeners "$sockets"
else
  listening=" $(awk 'function hex(s, i, n) { for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return n }
    $4 == "0A" { sub(/.*:/, "", $2); printf "%d ", hex($2) }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || echo all) "
  case "$listening" in *[0-9]*) ;; *) [ -r /proc/net/tcp ] || listening=" all " ;; esac
fi

files=""
crons=""
units=""
probes=""
costs=""
bodies=""
tmp=""
i=0
for spec in "$@"; do
  set -- $spec
  files="$files $1 $1/openclaw.json $1/.env"
  # The .env an interrupted apply kept for its rollback: only whether it is there, never read.
  [ -f "$1/.env.clawctl-prev" ] && echo "prev-env $1"
  # A restart clawctl began and did not finish (restart.sh's mark): whether it is there.
  [ -f "$1/.clawctl-restarting" ] && echo "restarting $1"
  if [ "${4-}" = cron ] || [ -f "$1/.clawctl-cron" ]; then crons="$crons $1"; fi
  cost=
  [ "${4-}" = cost ] || [ "${5-}" = cost ] && cost=1
  # The gateway's unit, as clawctl writes it (home-relative for the user's own units).
  case "$service" in
    systemd-user) files="$files .config/systemd/user/$3" ;;
    systemd) files="$files /etc/systemd/system/$3" ;;
  esac
  units="$units $3"
  case "$listening" in
    *" all "* | *" $2 "*)
      [ -n "$tmp" ] || { tmp=$(mktemp -d /tmp/clawctl-facts.XXXXXX) && trap 'rm -rf "$tmp"' EXIT; }
      probes="$probes -o /dev/null http://127.0.0.1:$2/readyz -o $tmp/startupz-$i http://127.0.0.1:$2/startupz"
      bodies="$bodies $tmp/startupz-$i"
      [ -n "$cost" ] && costs="$costs $i:$1:$2" ;;
  esac
  i=$((i + 1))
done

if [ -n "$probes" ]; then
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 3 -w 'http %{http_code} %{time_total} %{url_effective}\n' $probes 2>/dev/null
  else
    echo nocurl
  fi
fi

# Each agent's spend, as its gateway reports it (`costrc INDEX EXIT [why]`; the JSON in the
# blob as cost-INDEX). All at once, each bounded by `timeout` and by the CLI's own --timeout.
if [ -n "$costs" ]; then
  if command -v openclaw >/dev/null 2>&1; then
    deadline=
    command -v timeout >/dev/null 2>&1 && deadline="timeout 20"
    for c in $costs; do
      n=${c%%:*} rest=${c#*:}
      st=${rest%%:*} p=${rest#*:}
      case $st in .openclaw-*) set -- --profile "${st#.openclaw-}" ;; *) set -- ;; esac
      (
        OPENCLAW_STATE_DIR="$HOME/$st" $deadline openclaw "$@" gateway usage-cost --json --days 31 --port "$p" --timeout 10000 > "$tmp/cost-$n" 2> "$tmp/costerr-$n"
        echo $? > "$tmp/costrc-$n"
      ) < /dev/null &
    done
    wait
    for c in $costs; do
      n=${c%%:*} rc=
      IFS= read -r rc < "$tmp/costrc-$n" || true
      if [ "$rc" = 0 ]; then
        echo "costrc $n 0"
        bodies="$bodies $tmp/cost-$n"
      else
        # Why, in its last words: OpenClaw's --json puts its error on stdout, others go to stderr.
        printf 'costrc %s %s %s\n' "$n" "${rc:-none}" "$(cat "$tmp/costerr-$n" "$tmp/cost-$n" | tail -c 400 | tr -s '\n\t\r' '   ')"
      fi
    done
  else
    for c in $costs; do echo "costrc ${c%%:*} none the openclaw CLI is not on the PATH"; done
  fi
fi

# One line per unit, in agent order.
case "$service" in
  systemd-user) echo units; systemctl --user is-active $units 2>/dev/null; echo end ;;
  systemd) echo units; systemctl is-active $units 2>/dev/null; echo end ;;
esac

find_openclaw # openclaw-package.sh, put before this script
[ -n "$oc" ] && echo "openclaw $oc"

# Cron jobs, from OpenClaw's state database (node:sqlite, read only) or the older
# cron/jobs.json, by one Node for every agent that needs them, and only the fields clawctl
# compares: a job can hold a command's environment, which never leaves the host. The Node
# beside clawctl's own install first: OpenClaw runs on it, and node:sqlite needs a recent one.
if [ -n "$crons" ]; then
  cronnode=node
  [ -x "${dir-}/node" ] && cronnode="$dir/node"
  if [ "$cronnode" != node ] || command -v node >/dev/null 2>&1; then
    # shellcheck disable=SC2016 # JavaScript: its ${} is its own
    "$cronnode" -e '
const { lstatSync, readFileSync } = require("node:fs");
const regular = (p) => { try { return lstatSync(p).isFile(); } catch { return false; } };
const pick = (o, keys) => (o && typeof o === "object" ? Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) : undefined);
const slim = (j) => ({ ...pick(j, ["id", "name", "declarationKey", "agentId", "sessionTarget", "enabled"]), schedule: pick(j.schedule, ["kind", "expr", "tz", "everyMs", "at"]), payload: pick(j.payload, ["kind", "message", "text"]) });
for (const dir of process.argv.slice(1)) {
  try {
    let jobs = [];
    const db = `${dir}/state/openclaw.sqlite`, file = `${dir}/cron/jobs.json`;
    if (regular(db)) {
      const { DatabaseSync } = require("node:sqlite");
      const conn = new DatabaseSync(db, { readOnly: true });
      try {
        if (conn.prepare("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?").get("table", "cron_jobs"))
          jobs = conn.prepare("SELECT job_json FROM cron_jobs ORDER BY sort_order, job_id").all().map((r) => JSON.parse(r.job_json));
      } finally { conn.close(); }
    } else if (regular(file)) {
      if (lstatSync(file).size > 8388608) throw new Error("cron/jobs.json is larger than 8 MiB");
      const store = JSON.parse(readFileSync(file, "utf8"));
      jobs = Array.isArray(store.jobs) ? store.jobs : [];
    }
    process.stdout.write(`cron ${dir} ${Buffer.from(JSON.stringify(jobs.map(slim))).toString("base64")}\n`);
  } catch (err) { process.stdout.write(`cronerr ${dir} ${String((err && err.message) || err).replace(/\s+/g, " ").slice(0, 300)}\n`); }
}' $crons 2>/dev/null || for d in $crons; do echo "cronerr $d its Node could not run (node:sqlite needs Node 22.5 or later)"; done
  else
    for d in $crons; do echo "cronerr $d no node on PATH to read OpenClaw's cron jobs with"; done
  fi
fi

# clawctl's own OpenClaw installs, side by side (a version counts once its dir is marked
# complete), the machine's architecture, and the tools an install needs.
set +f
for d in .local/share/clawctl/openclaw/*/.complete; do
  [ -f "$d" ] || continue
  d=${d%/.complete}
  echo "installed ${d##*/}"
done
set -f
# The machine's architecture: the kernel's own word for it where it has the file (no fork).
arch=
[ -r /proc/sys/kernel/arch ] && { IFS= read -r arch < /proc/sys/kernel/arch || arch=; }
echo "arch ${arch:-$(uname -m)}"
echo "home $HOME"
echo "user ${USER:-${LOGNAME:-}}"
for t in tar gzip sha256sum; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done

# The observation gate clawctl installed (its version file), and whether its key is authorized:
# reported also when the fleet no longer has one, so that it can be removed.
gate=-
[ -f .clawctl/observe/version ] && { IFS= read -r gate < .clawctl/observe/version || true; }
if [ "$marker" != - ]; then
  authorized=0
  grep -qs -- " $marker\$" .ssh/authorized_keys && authorized=1
  echo "observer ${gate:--} $authorized"
elif [ "$gate" != - ]; then
  echo "observer $gate 0"
fi

# Agents this host holds for a clawctl fleet: the ownership markers apply writes, so an agent
# removed from the fleet is found and pruned. A glob and the shell's own read: no fork.
set +f
for m in .openclaw/.clawctl-managed .openclaw-*/.clawctl-managed; do
  [ -f "$m" ] || continue
  IFS= read -r owner < "$m" || true
  printf 'managed %s %s\n' "${m%/.clawctl-managed}" "$owner"
done
set -f

# One stat and one cat for every file: the sizes from stat split the cat's raw output.
# Missing files are simply absent from stat's output. stat does not follow links, and only
# regular files are read: a state dir or file the host's user made a symlink is reported as
# one (%f, the raw mode: 8xxx a regular file), never read or written through.
set --
[ -n "$pkg" ] && set -- "$pkg"
listed=$(stat -c 'file %a %s %f %n' -- $files $bodies "$@" 2>/dev/null)
set --
IFS='
'
envs=""
for line in $listed; do
  rest=${line#file * * }
  case $hashkey:$rest in
    ?*:8???" "*/.env) printf 'env%s\n' "$line"; envs="$envs ${rest#* }" ;;
    *:8???" "*) printf '%s\n' "$line"; set -- "$@" "${rest#* }" ;;
    *) printf '%s\n' "$line" ;;
  esac
done
IFS=' '
if [ -n "$envs" ]; then
  # clawctl's own install keeps its Node beside the openclaw it runs, off the PATH.
  nodebin=node
  command -v node >/dev/null 2>&1 || nodebin="${dir-}/node"
  if [ -z "$pkg" ]; then
    for e in $envs; do echo "envhash-error $e OpenClaw is not installed, and its dotenv parser hashes .env"; done
  elif [ "$nodebin" = node ] || [ -x "$nodebin" ]; then
    "$nodebin" .clawctl/observe/env-hash.mjs "$hashkey" "$pkg" $envs 2>/dev/null || for e in $envs; do echo "envhash-error $e the hashing failed"; done
  else
    for e in $envs; do echo "envhash-error $e no node on PATH to hash it with"; done
  fi
fi
echo blob
[ $# -eq 0 ] && exit 0
# With probe bodies, the EXIT trap must still remove their temp dir: no `exec` then.
[ -n "$tmp" ] && { cat -- "$@"; exit 0; }
exec cat -- "$@"
