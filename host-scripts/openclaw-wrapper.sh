#!/bin/sh
# clawctl: `openclaw` of one side-by-side install (~/.local/share/clawctl/openclaw/VERSION/bin),
# run by the Node installed beside it, whatever node the PATH has. ~/.local/bin/openclaw
# links here; children that look for `node` find the same one first.
d=$(dirname "$(readlink -f "$0")")
PATH="$d:$PATH"
export PATH
exec "$d/node" "$d/../node_modules/openclaw/openclaw.mjs" "$@"
