# shellcheck shell=sh
# clawctl: install one OpenClaw version beside the others and make it current (POSIX sh),
# after refuse-links.sh.
#   sh -c "$SCRIPT" clawctl-openclaw-install VERSION SHA256 MODE   (stdin: the bundle, a gzip'd
#   tar, or nothing when the version is already there)
# MODE unpack: put VERSION beside the others, running gateways untouched (an upgrade does this
# on every host first); switch: also make it current (a bare host; a wave's switch; a rollback,
# which switches back to a version still there).
# Layout, all in the user's home, no root:
#   ~/.local/share/clawctl/openclaw/VERSION/   Node and OpenClaw, complete once .complete exists
#   ~/.local/bin/openclaw -> …/VERSION/bin/openclaw   the one on the login PATH
# The bundle is received whole and its SHA-256 checked before anything is unpacked; it is
# unpacked into a temp dir that becomes VERSION by one rename, and the link is switched by one
# rename, so the host is on one whole version at every moment and a kill leaves nothing the
# next apply does not finish. The previous version stays for a rollback; older ones go.
set -eu
umask 022
version=$1 sum=$2 mode=$3
fail() { echo "clawctl: $*" >&2; exit 1; }
case $version in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) fail "refusing to install openclaw version '$version': not an exact release" ;;
esac
case $version in *[!0-9A-Za-z.-]*) fail "refusing to install openclaw version '$version': not an exact release" ;; esac
case $sum in *[!0-9a-f]* | '') fail "bad checksum '$sum'" ;; esac
case $mode in unpack | switch) ;; *) fail "bad mode '$mode'" ;; esac
base="$HOME/.local/share/clawctl/openclaw" bin="$HOME/.local/bin"
refuse_links "$HOME/.local" "$HOME/.local/share" "$HOME/.local/share/clawctl" "$base" "$base/$version" "$bin"
err=$(mkdir -p "$base" "$bin" 2>&1) || fail "cannot create $base and $bin: $err"
for p in "$base" "$bin"; do
  [ -w "$p" ] || fail "$p is not writable by $(id -un)"
done

if [ -f "$base/$version/.complete" ]; then
  cat >/dev/null # nothing was sent that is needed
else
  for t in tar gzip sha256sum; do command -v "$t" >/dev/null 2>&1 || fail "this host has no $t, which installing OpenClaw needs"; done
  incoming="$base/.incoming-$version"
  rm -rf "$incoming" "$incoming.tar.gz"
  # Ended any way (a cut connection, a deadline): the partial transfer goes.
  trap 'rm -rf "$incoming" "$incoming.tar.gz"' EXIT
  trap 'exit 1' HUP INT TERM PIPE
  # Received whole first: a cut transfer or a full disk never gets as far as unpacking.
  cat > "$incoming.tar.gz" || fail "receiving openclaw $version failed (is the disk full?)"
  got=$(sha256sum "$incoming.tar.gz")
  [ "${got%% *}" = "$sum" ] || fail "openclaw $version arrived with SHA-256 ${got%% *}, not $sum; nothing was installed"
  mkdir "$incoming"
  err=$(tar -xzf "$incoming.tar.gz" -C "$incoming" --no-same-owner 2>&1) || fail "unpacking openclaw $version failed; nothing was installed: $(printf '%s' "$err" | tail -n 2)"
  rm -f "$incoming.tar.gz"
  # The Node must run here (the right machine, a C library it can use) before it is trusted.
  "$incoming/bin/node" --version >/dev/null 2>&1 || fail "the Node in openclaw $version's bundle does not run on this host ($(uname -m)); nothing was installed"
  : > "$incoming/.complete"
  rm -rf "${base:?}/$version"
  mv "$incoming" "$base/$version"
  trap - EXIT HUP INT TERM PIPE
fi

[ "$mode" = unpack ] && { echo "clawctl: openclaw $version is unpacked beside the current one"; exit 0; }

# The previous version, kept for a rollback: what the link points at now.
previous=""
if [ -L "$bin/openclaw" ]; then
  target=$(readlink "$bin/openclaw")
  case $target in "$base"/*/bin/openclaw) previous=${target#"$base"/} previous=${previous%%/*} ;; esac
elif [ -e "$bin/openclaw" ]; then
  # Someone's own openclaw (a script, a copy): kept aside, never overwritten.
  mv "$bin/openclaw" "$bin/openclaw.before-clawctl"
  echo "clawctl: kept the earlier $bin/openclaw as openclaw.before-clawctl"
fi
rm -f "$bin/.openclaw.clawctl-new"
ln -s "$base/$version/bin/openclaw" "$bin/.openclaw.clawctl-new"
mv -f "$bin/.openclaw.clawctl-new" "$bin/openclaw"
echo "clawctl: openclaw $version is current${previous:+ (was $previous, kept)}"
for d in "$base"/*/; do
  name=${d%/}
  name=${name##*/}
  case $name in "$version" | "$previous" | .incoming-*) ;; *) rm -rf "${base:?}/$name" ;; esac
done
