#!/usr/bin/env bash
# Soak test: kill -9 the grid server (`vgi serve`) mid-ingest, CYCLES times in a row on one
# data_dir, and check after every kill that each acknowledged power point is stored with its last
# acknowledged value (tests/e2e/e2e_kill9_test.cpp). Prints one progress line per cycle.
#
# Usage: scripts/soak-kill9.sh [CYCLES]          (default 500; about 0.3 s per cycle)
#   BUILD_DIR=build/release   the build holding tests/e2e/e2e_kill9_test (and the vgi binary it runs)
#   VGI_KILL9_SEED=N          repeat the kill moments of an earlier run (the seed is printed)
#
# Build first, e.g.:
#   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build/release e2e_kill9_test vgi
set -euo pipefail

cycles="${1:-500}"
if ! [[ "$cycles" =~ ^[1-9][0-9]*$ ]]; then
  echo "soak-kill9: CYCLES must be a positive whole number, got '$cycles'" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
[[ "$build" = /* ]] || build="$root/$build"
bin="$build/tests/e2e/e2e_kill9_test"
if [[ ! -x "$bin" ]]; then
  echo "soak-kill9: $bin not found; build it first: ninja -C $build e2e_kill9_test vgi" >&2
  exit 2
fi

echo "soak-kill9: $cycles cycles with $bin"
start=$(date +%s)
status=0
VGI_KILL9_CYCLES="$cycles" "$bin" --gtest_filter='Kill9Test.*' --gtest_color=no || status=$?
echo "soak-kill9: $( ((status == 0)) && echo PASSED || echo FAILED ) after $(( $(date +%s) - start )) s"
exit "$status"
