# shellcheck shell=sh
# clawctl: put back what install.sh replaced (POSIX sh).
#   sh -c "$ROLLBACK" clawctl-rollback STATEDIR FILE...
# <file>.clawctl-prev becomes <file> again, or the file goes where there was none. rename and
# unlink act on the names themselves: neither follows a symlink.
set -eu
dir="$HOME/$1"
shift
for name in "$@"; do
  if [ -e "$dir/$name.clawctl-prev" ]; then mv -f "$dir/$name.clawctl-prev" "$dir/$name"; else rm -f "$dir/$name"; fi
done
sync "$dir" 2>/dev/null || sync
