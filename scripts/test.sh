#!/usr/bin/env bash
# Runs the whole test suite: configure + build the release preset, then
# ctest. With --sanitize, the same under the debug preset (ASan + UBSan).
# Tests that need ../shared/data skip with a message when it is absent; the
# browser test (tests/web/run.sh) skips when the web app is not built.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=release
extra=()
# The sanitizer run leaves out the browser test (label "browser"): it drives
# Chromium for about a minute and checks the web app, not memory safety.
[ "${1:-}" = "--sanitize" ] && preset=debug && extra=(-LE browser)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)" "${extra[@]}"
