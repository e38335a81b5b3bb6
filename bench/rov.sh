#!/usr/bin/env bash
# Benchmark for issue [2/5]: VRP load + route origin validation of a full
# table. 1 M generated routes against 600 k generated VRPs (rpki-client
# JSON), and against the real AFRINIC VRPs (RIPE validator CSV).
# Target: < 0.3 s including the load.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target rov_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/bench/bench/rov_bench --generate-vrps 600000 "$tmp/vrps.json"
echo "== 600 k generated VRPs ($(du -h "$tmp/vrps.json" | cut -f1) of JSON), 1 M routes"
build/bench/bench/rov_bench "$tmp/vrps.json" 1000000
if [ -f ../shared/data/rpki/samples/afrinic-roas-validator-export.csv ]; then
  echo "== real AFRINIC VRPs (~2022-01), 1 M routes"
  build/bench/bench/rov_bench ../shared/data/rpki/samples/afrinic-roas-validator-export.csv 1000000
fi
