#!/usr/bin/env bash
# Installs the console's one npm dependency (Apache ECharts, pinned by web/package-lock.json) and
# copies its browser bundle to web/vendor/echarts.min.js, which web/index.html loads relatively.
# Idempotent: skips npm when the installed echarts already matches the lock and the copy is current.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="$root/web"
src="$web/node_modules/echarts/dist/echarts.min.js"
dst="$web/vendor/echarts.min.js"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-web: npm is missing (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi

locked="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/echarts"].version)' "$web/package-lock.json")"
installed=""
if [[ -f "$web/node_modules/echarts/package.json" ]]; then
  installed="$(node -e 'console.log(require(process.argv[1]).version)' "$web/node_modules/echarts/package.json")"
fi
if [[ "$installed" != "$locked" || ! -f "$src" ]]; then
  (cd "$web" && npm ci --no-audit --no-fund)
fi

mkdir -p "$web/vendor"
if ! cmp -s "$src" "$dst"; then
  cp "$src" "$dst.tmp"
  mv "$dst.tmp" "$dst"
fi
echo "install-web: echarts $locked -> web/vendor/echarts.min.js"
