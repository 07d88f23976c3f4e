# shellcheck shell=sh disable=SC2086 # word splitting of $files is wanted (see set -f)
# clawctl import: every OpenClaw state dir in this home, read only, in one exec (POSIX sh).
#   sh -c "$IMPORT" clawctl-import MAXBYTES
# Nothing is written. Names found in the home are the host user's to choose, so they are
# never run, only listed; only names that are valid state dirs (.openclaw or
# .openclaw-<dns label>, no space or glob) are read, and so may be word-split below.
# Output: `CLAWCTL-IMPORT 1`, lines (see src/import/parse-import.ts), `blob`, then the bytes of
# every regular file of at most MAXBYTES that stat listed, in its order.
set -u
set -f
PATH="$HOME/.local/bin:$HOME/.npm-global/bin:$PATH"
max=$1
echo "CLAWCTL-IMPORT 1"
cd "$HOME" 2>/dev/null || { echo blob; exit 0; }

# OpenClaw's version: its package.json beside the binary on PATH, found as facts.sh finds it.
pkg=""
find_openclaw # openclaw-package.sh, put before this script

dirs=""
set +f
for d in .openclaw .openclaw-*; do
  [ -e "$d" ] || [ -L "$d" ] || continue
  case $d in
    # What clawctl's own removal leaves aside: not an installation.
    *.clawctl-removed-*) continue ;;
  esac
  p=${d#.openclaw}
  p=${p#-}
  case $d in
    .openclaw) ;;
    *)
      case $p in
        '' | -* | *- | *[!a-z0-9-]*)
          # Shown, not used: every byte but a safe few is replaced.
          printf 'badname %s\n' "$(printf '%s' "$d" | tr -c 'A-Za-z0-9._+@=-' '?')"
          continue ;;
      esac
      [ ${#p} -le 63 ] || { echo "badname $d"; continue; } ;;
  esac
  dirs="$dirs $d"
done
set -f

# The state dirs themselves, and the files of those that are real directories (not links).
files=""
cron=""
for d in $dirs; do
  if [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
  files="$files $d/openclaw.json $d/.env $d/.clawctl-managed"
  # OpenClaw keeps cron jobs in its state database; before that, in cron/jobs.json.
  if [ -f "$d/state/openclaw.sqlite" ] || [ -f "$d/cron/jobs.json" ]; then cron="$cron $d"; fi
done

# Cron jobs, read by the Node OpenClaw runs on (node:sqlite, read only), one process for all.
if [ -n "$cron" ]; then
  if command -v node >/dev/null 2>&1; then
    # shellcheck disable=SC2016 # JavaScript: its ${} is its own
    CLAWCTL_MAX=$max node -e '
const { lstatSync, readFileSync } = require("node:fs");
const out = (tag, dir, value) => process.stdout.write(`${tag} ${dir} ${Buffer.from(JSON.stringify(value)).toString("base64")}\n`);
const regular = (p) => { try { return lstatSync(p).isFile(); } catch { return false; } };
for (const dir of process.argv.slice(1)) {
  try {
    const db = `${dir}/state/openclaw.sqlite`;
    if (regular(db)) {
      const { DatabaseSync } = require("node:sqlite");
      const conn = new DatabaseSync(db, { readOnly: true });
      try {
        const has = conn.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name = ?").get("table", "cron_jobs");
        const rows = has ? conn.prepare("SELECT job_json FROM cron_jobs ORDER BY sort_order, job_id").all() : [];
        out("cron", dir, rows.map((r) => JSON.parse(r.job_json)));
      } finally { conn.close(); }
    } else if (regular(`${dir}/cron/jobs.json`) && lstatSync(`${dir}/cron/jobs.json`).size <= Number(process.env.CLAWCTL_MAX)) {
      const store = JSON.parse(readFileSync(`${dir}/cron/jobs.json`, "utf8"));
      out("cron", dir, Array.isArray(store.jobs) ? store.jobs : []);
    } else out("cronerr", dir, "the cron store is not a regular file of a readable size");
  } catch (err) { out("cronerr", dir, String(err && err.message || err)); }
}' $cron 2>/dev/null
  else
    for d in $cron; do echo "cronerr $d nonode"; done
  fi
fi

# One stat for everything; stat does not follow links (%f, the raw mode: 8xxx a regular file,
# 4xxx a directory, axxx a link). Only regular files of at most MAXBYTES are read.
set --
[ -n "$pkg" ] && set -- "$pkg"
listed=$(stat -c 'file %a %s %f %n' -- $dirs $files "$@" 2>/dev/null)
set --
IFS='
'
for line in $listed; do
  printf '%s\n' "$line"
  rest=${line#file * }
  size=${rest%% *}
  rest=${rest#* }
  case $rest in 8???" "*) [ "$size" -le "$max" ] && set -- "$@" "${rest#* }" ;; esac
done
echo blob
[ $# -eq 0 ] && exit 0
exec cat -- "$@"
