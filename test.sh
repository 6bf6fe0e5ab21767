#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. Release build: unit tests, CLI tests, benchmark smoke run      (build/release),
#      and the `pg` tests against a throwaway PostgreSQL (scripts/pg-test-server.sh)
#   2. The console in headless chromium against `vgi demo` (scripts/browser-test.sh; screenshots
#      in build/console-shots)
#   3. The unit tests again under AddressSanitizer + UBSan           (build/asan)
#   4. Every libFuzzer target for VGI_FUZZ_SECONDS (default 20) each  (build/fuzz, clang)
# Environment: VGI_FUZZ_SECONDS=0 skips fuzzing; VGI_SKIP_ASAN=1 skips step 3, VGI_SKIP_BROWSER=1
# step 2 (local iterations).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
jobs=$(nproc)
start=$SECONDS

step() { printf '\n== %s (%ds elapsed)\n' "$1" $((SECONDS - start)); }

step "dependencies"
scripts/install-deps.sh

step "release build"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$jobs"
step "throwaway PostgreSQL for the pg tests"
pg_dir=$(mktemp -d -t vgi-pg.XXXXXX)
# Stopped however the script ends: success, a failed step (set -e), Ctrl-C or kill.
stop_pg() { scripts/pg-test-server.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
VGI_TEST_PG_URL=$(scripts/pg-test-server.sh start "$pg_dir")
export VGI_TEST_PG_URL
echo "$VGI_TEST_PG_URL"
step "release tests"
ctest --test-dir build/release --output-on-failure -j "$jobs"

if [ "${VGI_SKIP_BROWSER:-0}" != "1" ]; then
  step "the console in headless chromium (vgi demo)"
  scripts/browser-test.sh "$root/build/release/apps/vgi/vgi"
fi

if [ "${VGI_SKIP_ASAN:-0}" != "1" ]; then
  # clang: it can exempt RapidJSON 1.1.0's one known UB from UBSan (cmake/sanitizer-ignorelist.txt).
  step "ASan+UBSan build (clang)"
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DCMAKE_CXX_COMPILER=clang++ -DVGI_SANITIZE=address,undefined -DVGI_BUILD_BENCHMARKS=OFF \
    -DVGI_BUILD_APPS=OFF >/dev/null
  cmake --build build/asan -j "$jobs"
  step "unit tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan -L unit --output-on-failure -j "$jobs"
fi

fuzz_seconds=${VGI_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" != "0" ]; then
  if command -v clang++ >/dev/null 2>&1; then
    step "fuzz build (clang, libFuzzer, ASan+UBSan)"
    cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DVGI_FUZZ=ON -DVGI_SANITIZE=address,undefined -DVGI_BUILD_TESTS=OFF -DVGI_BUILD_BENCHMARKS=OFF \
      -DVGI_BUILD_APPS=OFF >/dev/null
    cmake --build build/fuzz -j "$jobs"
    step "fuzzing, ${fuzz_seconds}s per target"
    scripts/run-fuzzers.sh "$root/build/fuzz" "$fuzz_seconds"
  else
    echo "clang++ not found: fuzzing skipped (scripts/install-deps.sh installs it)"
  fi
fi

step "all tests passed"
