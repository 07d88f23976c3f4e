# shellcheck shell=sh
# clawctl: a fragment put before every script that writes on a host (POSIX sh).
# The host's user can plant a symbolic link where clawctl is about to write, to make it write
# somewhere else: `refuse_links PATH...` exits 66 naming the first path that is a link, before
# anything is written. Paths are named from $HOME, as the user sees them.
refuse_links() {
  for p in "$@"; do
    if [ -L "$p" ]; then
      echo "clawctl: \$HOME/${p#"$HOME"/} is a symbolic link; clawctl never writes through a link" >&2
      exit 66
    fi
  done
}
