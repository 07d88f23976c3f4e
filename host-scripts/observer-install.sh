# shellcheck shell=sh
# clawctl: install (or remove) the observation gate and its key (POSIX sh), after refuse-links.sh.
#   sh -c "$SCRIPT" clawctl-observer install MARKER AUTHORIZE   (stdin: one base64 line per file:
#       gate.sh facts.sh env-hash.mjs hash-key authorized-line version)
#   sh -c "$SCRIPT" clawctl-observer remove MARKER
# Files go to ~/.clawctl/observe/, each staged and renamed into place; `version` is written
# last, so a kill leaves a gate that the next plan sees as out of date. With AUTHORIZE=yes the
# line for the key (its comment is MARKER) replaces any earlier one in ~/.ssh/authorized_keys,
# by one rename; every other line is kept as it was.
set -eu
umask 077
action=$1 marker=$2
dir="$HOME/.clawctl/observe"
keys="$HOME/.ssh/authorized_keys"
refuse_links "$HOME/.clawctl" "$dir" "$HOME/.ssh" "$keys" "$keys.clawctl-new"

# authorized_keys without the marker's line, then with LINE when given: one rename.
rewrite_keys() {
  [ -d "$HOME/.ssh" ] || { mkdir -p "$HOME/.ssh"; chmod 700 "$HOME/.ssh"; }
  rm -f "$keys.clawctl-new"
  set -C
  {
    # grep -v exits 1 when no other line is left: that is fine, an error (2) is not.
    if [ -f "$keys" ]; then grep -v -- " $marker\$" "$keys" || [ $? -eq 1 ]; fi
    if [ -n "$1" ]; then printf '%s\n' "$1"; fi
  } > "$keys.clawctl-new"
  set +C
  chmod 600 "$keys.clawctl-new"
  mv -f "$keys.clawctl-new" "$keys"
}

if [ "$action" = remove ]; then
  [ -f "$keys" ] && rewrite_keys ''
  rm -rf "$dir"
  exit 0
fi

authorize=$3
[ -d "$HOME/.clawctl" ] || mkdir -m 700 "$HOME/.clawctl"
[ -d "$dir" ] || mkdir -m 700 "$dir"
set -C
line=""
for name in gate.sh facts.sh env-hash.mjs hash-key authorized-line version; do
  IFS= read -r b64 || { rm -f "$dir"/.new.*; echo "the gate's files arrived incomplete; nothing was installed" >&2; exit 1; }
  if [ "$name" = authorized-line ]; then
    line=$(printf '%s' "$b64" | base64 -d)
    continue
  fi
  refuse_links "$dir/$name"
  rm -f "$dir/.new.$name"
  printf '%s' "$b64" | base64 -d > "$dir/.new.$name"
done
set +C
for name in gate.sh facts.sh env-hash.mjs hash-key; do mv -f "$dir/.new.$name" "$dir/$name"; done
if [ "$authorize" = yes ]; then rewrite_keys "$line"; else [ -f "$keys" ] && rewrite_keys ''; fi
mv -f "$dir/.new.version" "$dir/version"
