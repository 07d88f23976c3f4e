# shellcheck shell=sh
# clawctl: give an agent back the state its OpenClaw version last saw, for a downgrade (POSIX sh),
# after refuse-links.sh and gateway-lock.sh.
#   sh -c "$SCRIPT" clawctl-openclaw-restore STATEDIR VERSION SERVICE UNIT GRACE [ARCHIVE]
# OpenClaw migrates its state forward and never back, so an older version cannot run on a
# state a newer one migrated. The newest backup VERSION made (openclaw-backup.sh, before the
# upgrade) is restored with OpenClaw's own `backup restore` into a fresh dir; the gateway is
# stopped; the current state dir is moved aside (kept, never deleted) and the restored one
# moved into its place. The restart that follows starts the gateway on it.
set -u
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
state=$1 version=$2 service=$3 unit=$4 grace=$5 chosen=${6-}
fail() { echo "clawctl: $*" >&2; exit 1; }
case $state in .openclaw | .openclaw-[a-z0-9]*) ;; *) fail "bad state dir $state" ;; esac
case $version in *[!0-9A-Za-z.-]* | '') fail "bad version $version" ;; esac
dir="$HOME/$state" root="$HOME/.local/share/clawctl/backups/$state/$version"
refuse_links "$dir"
if [ ! -d "$root" ] || [ -L "$root" ]; then
  fail "no backup made by OpenClaw $version of $state: it cannot run on the state a newer version migrated (restore one by hand, or pin a newer version)"
fi
# The one named (`clawctl backups restore`), else the newest: names sort by their time.
archive=""
case $chosen in
  '') for a in "$root"/*-openclaw-backup.tar.gz; do [ -f "$a" ] && archive=$a; done ;;
  */* | .*) fail "bad backup name $chosen" ;;
  *) [ -f "$root/$chosen" ] && [ ! -L "$root/$chosen" ] && archive="$root/$chosen" ;;
esac
[ -n "$archive" ] || fail "no backup ${chosen:+$chosen }made by OpenClaw $version of $state in $root"
umask 077
work="$root/.restore-$$"
rm -rf "$work"
cd "$root" || fail "cannot enter $root"
# The older version refuses to start on the state a newer one migrated: it runs the restore
# with a state dir of its own, empty (restoring reads only the archive).
scratch="$work.state"
rm -rf "$scratch"
mkdir "$scratch"
out=$(OPENCLAW_STATE_DIR="$scratch" openclaw backup restore "$archive" --target "$work" --json 2>&1) || {
  rm -rf "$work" "$scratch"
  fail "openclaw backup restore $archive failed: $(printf '%s\n' "$out" | grep -v '^\[openclaw\] \(Debug\|Try\|Help\):' | tail -n 2)"
}
rm -rf "$scratch"
restored=""
for d in "$work"/*/payload/posix"$dir"; do [ -d "$d" ] && restored=$d; done
[ -n "$restored" ] || { rm -rf "$work"; fail "the backup $archive holds no $dir"; }
case "$service" in
  systemd-user) timeout 60 systemctl --user stop "$unit" 2>/dev/null || true ;;
  systemd) if [ "$(id -u)" = 0 ]; then timeout 60 systemctl stop "$unit" 2>/dev/null || true; else timeout 60 sudo -n systemctl stop "$unit" 2>/dev/null || true; fi ;;
  process)
    holder=$(gateway_pid "$dir")
    if [ -n "$holder" ]; then
      rest=${holder#* }
      stop_gateway "${holder%% *}" "${rest%% *}" "$grace" || fail "gateway pid ${holder%% *} still runs after SIGKILL; nothing was restored"
    fi ;;
esac
aside="$dir.clawctl-before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
mv "$dir" "$aside" || fail "could not move $dir aside"
mv "$restored" "$dir" || { mv "$aside" "$dir"; fail "could not move the restored state into $dir; the current one is back"; }
rm -rf "$work"
echo "clawctl: $state restored from $archive (OpenClaw $version); the state it replaces is kept at $aside"
