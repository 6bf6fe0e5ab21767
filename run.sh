#!/usr/bin/env bash
# Installs what is missing, builds vgi, and runs the demo: a grid with its embedded database in a
# temporary folder and simulated operator platforms on one accelerated clock, connected both ways
# over HTTPS, until Ctrl-C. Arguments go to `vgi demo` (see `vgi demo --help`).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh --quiet
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target vgi -j "$(nproc)"
exec build/release/apps/vgi/vgi demo "$@"
