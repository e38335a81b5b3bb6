#!/usr/bin/env bash
# Regenerates the golden files under tests/golden/ from the release build:
# every case of tests/golden/cases.txt is run again and its output written
# to tests/golden/NAME.out. Review the result with `git diff tests/golden`
# before committing: a golden file changes only with an intended change of
# output.
# Usage: scripts/update-golden.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j"$(nproc)" --target vigia vigia_golden_test vigia_ixp_config_cli_test
fi
[ -d ../shared/data ] || echo "update-golden: ../shared/data is absent; the cases that read it keep their old files" >&2
VIGIA_UPDATE_GOLDEN=1 build/release/tests/vigia_golden_test --gtest_brief=1
# tests/golden/ixp/lab-bird2.conf (vigia ixp config on the lab exchange)
VIGIA_UPDATE_GOLDEN=1 build/release/tests/vigia_ixp_config_cli_test --gtest_brief=1
git status --short tests/golden
