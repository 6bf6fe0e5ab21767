#!/usr/bin/env bash
# Installs what is missing, builds vgi, and runs the main job. Until the server lands this is the
# protocol self-check: the shared crypto vectors byte for byte, and every interface's seed example
# through validate -> seal -> open -> validate.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh --quiet
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target vgi -j "$(nproc)"
exec build/release/apps/vgi/vgi selfcheck --vectors "${VGI_SHARED_DIR:-../shared}/vectors/crypto-vectors.json" "$@"
