# shellcheck shell=sh disable=SC2086 # the command's words are checked below, then split on purpose
# clawctl observation gate: the forced command of the observation key (authorized_keys:
# `restrict,command="sh .clawctl/observe/gate.sh" KEY clawctl-observer:FLEET`). Whatever the
# client asked for arrives in SSH_ORIGINAL_COMMAND; the only thing this key may run is the
# facts script installed beside this file, with .env values replaced by keyed hashes:
#   clawctl-observe MARKER SERVICE STATEDIR:PORT:UNIT[:cron] ...
# Every word is matched against a fixed pattern before use, and nothing is handed to a shell.
set -u
set -f
refuse() {
  echo "clawctl observation gate: $1; this key may only observe (clawctl plan, status, drift)" >&2
  exit 126
}
cmd=${SSH_ORIGINAL_COMMAND-}
case $cmd in
  '') refuse 'no command given' ;;
  *[!A-Za-z0-9.:_\ -]*) refuse 'the command holds characters no observation uses' ;;
esac
set -- $cmd
# clawctl's SSH transport sends every command as `exec ARGV`.
[ "${1-}" = exec ] && shift
if [ $# -lt 3 ] || [ "$1" != clawctl-observe ]; then refuse "only clawctl-observe may run, not ${1-nothing}"; fi
marker=$2 service=$3
shift 3
case $marker in clawctl-observer:[a-z0-9]*) ;; *) refuse "bad marker $marker" ;; esac
case $service in none | process | systemd | systemd-user) ;; *) refuse "bad service kind $service" ;; esac
# Each checked word becomes one facts.sh argument, "STATEDIR PORT UNIT [cron]" (the list rotates).
for word in "$@"; do
  dir=${word%%:*} rest=${word#*:}
  port=${rest%%:*} unit=${rest#*:}
  # `:cron`: the agent declares cron jobs, which facts.sh then reads too.
  cron=
  case $unit in *:cron) unit=${unit%:cron} cron=' cron' ;; esac
  case $dir in .openclaw | .openclaw-[a-z0-9]*) ;; *) refuse "bad state dir $dir" ;; esac
  case $dir in *[!a-z0-9.-]* | *..*) refuse "bad state dir $dir" ;; esac
  case $port in '' | *[!0-9]*) refuse "bad port $port" ;; esac
  case $unit in openclaw-gateway.service | openclaw-gateway-[a-z0-9]*.service) ;; *) refuse "bad unit $unit" ;; esac
  case $unit in *[!a-z0-9.-]*) refuse "bad unit $unit" ;; esac
  shift
  set -- "$@" "$dir $port $unit$cron"
done
cd "$HOME" || refuse 'no home directory'
CLAWCTL_FACTS_ENV_HASH=.clawctl/observe/hash-key exec sh .clawctl/observe/facts.sh "$service" "$marker" "$@"
