# shellcheck shell=sh
# clawctl: stop managing an adopted agent that left the fleet (POSIX sh), after refuse-links.sh.
#   sh -c "$FORGET" clawctl-forget STATEDIR OWNER
# Only its ownership marker goes, and only if it is still OWNER's and says adopted: the state
# dir, its files and its gateway stay exactly as they are.
set -eu
dir="$HOME/$1" owner=$2
refuse_links "$dir" "$dir/.clawctl-managed"
[ -f "$dir/.clawctl-managed" ] || exit 0
IFS= read -r line < "$dir/.clawctl-managed" || true
[ "$line" = "$owner origin=adopted" ] || { echo "\$HOME/$1 is not $owner's adopted agent any more (its marker says: $line); left alone" >&2; exit 66; }
rm -f "$dir/.clawctl-managed"
