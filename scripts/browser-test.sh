#!/usr/bin/env bash
# The console in a real browser (issue 6): starts `vgi demo` on a free loopback port with a
# dispatcher, a viewer and an auditor, then drives Debian's headless chromium through
# tests/browser/console.test.mjs (playwright-core from npm), after the node unit tests of the
# console's modules (tests/browser/engine_text.test.mjs). Screenshots of every page go to
# $VGI_SCREENSHOT_DIR (default build/console-shots), for a person to look at.
# Usage: scripts/browser-test.sh [VGI_BINARY]   (default build/release/apps/vgi/vgi)
# Bounded: the demo stops itself after 600 s, the test after 480 s; the demo is killed at exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vgi=${1:-$root/build/release/apps/vgi/vgi}
[ -x "$vgi" ] || { echo "browser-test: no vgi binary at $vgi: build it first" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "browser-test: /usr/bin/chromium is missing: run scripts/install-deps.sh" >&2; exit 1; }

"$root/scripts/install-web.sh"
(cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
# The console's own logic first (no browser, no demo): the engine texts in Chinese.
(cd "$root/tests/browser" && timeout 60 node --test --test-reporter=dot engine_text.test.mjs) ||
  { echo "browser-test: engine_text.test.mjs FAILED" >&2; exit 1; }
# Every page in both languages against a mock of the API (cases the demo does not reach: paging,
# every role, peers), each answer checked against openapi.json.
shots=${VGI_SCREENSHOT_DIR:-$root/build/console-shots}
(cd "$root/tests/browser" && VGI_SCREENSHOT_DIR="$shots" timeout 300 node mock.test.mjs >"$shots.mock.log" 2>&1) ||
  { tail -40 "$shots.mock.log" >&2; echo "browser-test: mock.test.mjs FAILED (log: $shots.mock.log)" >&2; exit 1; }
echo "browser-test: mock.test.mjs passed"

work=$(mktemp -d -t vgi-browser.XXXXXX)
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dispatcher="dispatcher:Grid-Peak-2026"
viewer="viewer:Grid-Look-2026"
auditor="auditor:Grid-Trace-2026"
"$vgi" demo --data-dir "$work/demo" --listen 127.0.0.1:0 --duration 600 \
  --console-user "dispatcher:dispatcher:${dispatcher#*:}" --console-user "viewer:viewer:${viewer#*:}" \
  --console-user "auditor:auditor:${auditor#*:}" >"$work/demo.log" 2>&1 &
demo_pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(grep -o 'console https://127.0.0.1:[0-9]*' "$work/demo.log" | head -1 | cut -d' ' -f2 || true)
  [ -n "$url" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { echo "browser-test: the demo stopped:" >&2; cat "$work/demo.log" >&2; exit 1; }
  sleep 1
done
[ -n "$url" ] || { echo "browser-test: the demo did not come up in 120 s:" >&2; cat "$work/demo.log" >&2; exit 1; }
echo "browser-test: console at $url"
mkdir -p "$shots"
if ! (cd "$root/tests/browser" && VGI_CONSOLE_URL="$url" VGI_DISPATCHER="$dispatcher" VGI_VIEWER="$viewer" \
      VGI_AUDITOR="$auditor" VGI_SCREENSHOT_DIR="$shots" timeout 480 node console.test.mjs); then
  echo "browser-test: FAILED; the demo's output:" >&2
  tail -30 "$work/demo.log" >&2
  exit 1
fi
echo "browser-test: screenshots in $shots"
