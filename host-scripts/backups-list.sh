# shellcheck shell=sh
# clawctl: the OpenClaw backups kept for agents on this host (POSIX sh).
#   sh -c "$SCRIPT" clawctl-backups-list STATEDIR ...
# One line per archive: `backup STATEDIR VERSION FILE BYTES`, from
# ~/.local/share/clawctl/backups/STATEDIR/VERSION/ (openclaw-backup.sh); links are not followed.
set -u
root="$HOME/.local/share/clawctl/backups"
for state in "$@"; do
  case $state in .openclaw | .openclaw-[a-z0-9]*) ;; *) continue ;; esac
  for f in "$root/$state"/*/*-openclaw-backup.tar.gz; do
    if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
    version=${f%/*}
    version=${version##*/}
    echo "backup $state $version ${f##*/} $(stat -c %s -- "$f")"
  done
done
