#!/usr/bin/env bash
# Runs the whole test suite: configure + build the release preset, then
# ctest. With --sanitize, the same under the debug preset (ASan + UBSan).
# Tests that need ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=release
[ "${1:-}" = "--sanitize" ] && preset=debug
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)"
