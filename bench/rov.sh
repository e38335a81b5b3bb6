#!/usr/bin/env bash
# Benchmark for issue [2/5]: VRP load + route origin validation of a full
# table. 1 M generated routes against 600 k generated VRPs (rpki-client
# JSON), and against the real AFRINIC VRPs (RIPE validator CSV).
# Target: < 0.3 s including the load.
#
#   bench/rov.sh [--runs N]     (default 7; prints every run and the median)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=7
if [ "${1:-}" = "--runs" ]; then runs="$2"; fi
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target rov_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs rov_bench $runs times on one VRP file; the first run is shown whole,
# then one line per run, then the medians.
measure() {
  local file="$1"
  for i in $(seq "$runs"); do
    build/bench/bench/rov_bench "$file" 1000000 >"$tmp/run.$i"
  done
  cat "$tmp/run.1"
  echo "-- $runs runs: load, validate (1 thread, RIB order), load + validate (1 thread), (2 threads)"
  for i in $(seq "$runs"); do
    awk '/^load/ {l = $2} /RIB order: / {v1 = $4; t1 = $(NF - 1)} /2 threads/ {t2 = $(NF - 1)}
         END {printf "%s %s %s %s\n", l, v1, t1, t2}' "$tmp/run.$i"
  done | tee "$tmp/all" | sed 's/^/   /'
  for col in 1 2 3 4; do
    sort -n -k"$col","$col" "$tmp/all" | awk -v c="$col" -v n="$runs" \
      'NR == int((n + 1) / 2) {printf "%s ", $c}'
  done | awk '{printf "-- median: load %s s, validate %s s, load + validate %s s (1 thread), %s s (2 threads)\n", $1, $2, $3, $4}'
}

build/bench/bench/rov_bench --generate-vrps 600000 "$tmp/vrps.json"
echo "== 600 k generated VRPs ($(du -h "$tmp/vrps.json" | cut -f1) of JSON), 1 M routes"
measure "$tmp/vrps.json"
if [ -f ../shared/data/rpki/samples/afrinic-roas-validator-export.csv ]; then
  echo "== real AFRINIC VRPs (~2022-01), 1 M routes"
  measure ../shared/data/rpki/samples/afrinic-roas-validator-export.csv
fi
