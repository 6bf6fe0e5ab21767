#!/usr/bin/env bash
# Installs vgi's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, and apt-get runs only when something is missing.
# Usage: scripts/install-deps.sh [--quiet]
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # libraries
  libboost-dev libssl-dev libsqlite3-dev libpq-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libsimdjson-dev rapidjson-dev
  # console: argon2id password hashing
  libargon2-dev
  # tests, benchmarks, fuzzing (clang + libFuzzer runtime)
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  # tools the test suite drives (postgresql-15: the throwaway server of scripts/pg-test-server.sh)
  openssl python3 postgresql-15 sqlite3
  # the console's browser tests: Debian's chromium (driven by playwright-core from npm), and a
  # CJK font so the Chinese pages' screenshots are readable
  chromium fonts-wqy-microhei
)
# Node.js and npm (the console's ECharts and the browser tests' playwright-core come from npm):
# Debian's packages unless a Node.js with npm is already installed (e.g. NodeSource's, which
# bundles npm and conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = "--quiet" ] || echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them with sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are absent or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -n 1)" ]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
