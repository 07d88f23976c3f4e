# shellcheck shell=sh
# clawctl: install an agent's files atomically (POSIX sh), after refuse-links.sh.
#   sh -c "$INSTALL" clawctl-install STATEDIR OWNER FILE...   (stdin: one base64 line per FILE)
# Every file is staged beside its target, the candidate openclaw.json is checked by the host's
# own OpenClaw (when installed), then for each file: fsync, keep the current one as
# <file>.clawctl-prev, rename into place, fsync the directory. A rejected candidate or a kill
# at any point leaves every live file old or new, never partial. Contents come on stdin, so no
# secret is in a command line or `ps`; staged files are created anew (noclobber, after rm), so
# a planted symlink is never written through.
set -eu
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
umask 077
dir="$HOME/$1" owner=$2
shift 2
# Nothing is written through a link the host's user planted (refuse-links.sh).
refuse_links "$dir"
[ -d "$dir" ] || { mkdir -p "$dir"; chmod 700 "$dir"; }
for name in "$@" .clawctl-managed; do refuse_links "$dir/$name" "$dir/$name.clawctl-prev"; done
# An installation clawctl did not make (files, no marker) is adopted, and its marker keeps
# saying so: when it leaves the fleet it is only forgotten, never moved aside.
origin=""
if [ -f "$dir/.clawctl-managed" ]; then
  IFS= read -r prev < "$dir/.clawctl-managed" || true
  case $prev in *" origin=adopted") origin=" origin=adopted" ;; esac
elif [ -e "$dir/openclaw.json" ] || [ -e "$dir/.env" ]; then
  origin=" origin=adopted"
fi
set -C
# However this script ends (a full disk, a refused config, a cut transfer, a signal, or done),
# nothing it staged is left: no .clawctl-new.* outlives its apply.
trap 'for n in "$@" managed; do rm -f "$dir/.clawctl-new.$n"; done' EXIT
trap 'exit 1' HUP INT TERM PIPE
for name in "$@"; do
  # A line that never ended is a transfer cut short (clawctl killed mid-send): base64 of a
  # cut line can still decode, so it must not be staged, let alone installed.
  IFS= read -r line || { for n in "$@"; do rm -f "$dir/.clawctl-new.$n"; done; echo "the new files arrived incomplete; nothing was installed" >&2; exit 1; }
  rm -f "$dir/.clawctl-new.$name"
  printf '%s' "$line" | base64 -d > "$dir/.clawctl-new.$name"
done
cand="$dir/.clawctl-new.openclaw.json"
case " $* " in *" openclaw.json "*) check=yes ;; *) check=no ;; esac
if [ "$check" = yes ] && command -v openclaw >/dev/null 2>&1; then
  # stdout is the JSON verdict ({valid, issues[{path, message}]}); OpenClaw's stderr goes
  # to ours, apart, so a warning never breaks the JSON.
  if ! out=$(OPENCLAW_CONFIG_PATH="$cand" OPENCLAW_STATE_DIR="$dir" openclaw config validate --json); then
    for name in "$@"; do rm -f "$dir/.clawctl-new.$name"; done
    printf '%s\n' "$out"
    exit 65
  fi
fi
# The ownership marker: this state dir belongs to that fleet's agent, so it can be pruned
# when the agent leaves the fleet, and never when another tool made it. It goes in before the
# files, so a kill between them leaves a dir that is known as clawctl's, not taken for adopted.
rm -f "$dir/.clawctl-new.managed"
printf '%s%s\n' "$owner" "$origin" > "$dir/.clawctl-new.managed" && mv -f "$dir/.clawctl-new.managed" "$dir/.clawctl-managed"
for name in "$@"; do
  sync "$dir/.clawctl-new.$name" 2>/dev/null || sync
  if [ -e "$dir/$name" ]; then ln -f "$dir/$name" "$dir/$name.clawctl-prev"; else rm -f "$dir/$name.clawctl-prev"; fi
  mv -f "$dir/.clawctl-new.$name" "$dir/$name"
done
# A .env this apply does not replace needs no backup: one left by an earlier, interrupted
# apply would only keep old secrets on disk (forget-env.sh drops it after a healthy apply).
case " $* " in *" .env "*) ;; *) rm -f "$dir/.env.clawctl-prev" ;; esac
sync "$dir" 2>/dev/null || sync
