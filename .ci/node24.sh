#!/usr/bin/env bash
# Installs Node 24 from the npm registry (the `node@24` package) into a cache directory and prints
# the directory holding its `node`. Nothing is compiled for it: on Node 24 the SQLite store uses the
# built-in node:sqlite, and CI installs without the optional better-sqlite3.
set -euo pipefail
cache="${RELEASEBOT_CI_CACHE:-${TMPDIR:-/tmp}/releasebot-ci}/node24"
pkg="$cache/node_modules/node"
if [ ! -x "$pkg/bin/node" ]; then
  mkdir -p "$cache"
  npm install --no-save --no-audit --no-fund --prefix "$cache" node@24 >&2
fi
echo "$pkg/bin"
