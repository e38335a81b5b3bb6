#!/usr/bin/env bash
# Benchmark for issues [2/5] and [6/7]: VRP load + route origin validation
# of a full table. 1 M generated routes against 600 k generated VRPs
# (rpki-client JSON), and against the real AFRINIC VRPs (RIPE validator
# CSV). Targets: < 0.3 s including the load on every run, and at most 5x a
# bandwidth floor measured in the same process (rov_bench.cc: read(2) of the
# VRP file, one pass over its bytes, one over the routes).
#
#   bench/rov.sh [--runs N] [--before BIN]
#
# --runs N      runs per file (default 9); prints every run, then median,
#               min and max of each column.
# --before BIN  a rov_bench built from an older tree: the two are run
#               interleaved (A B A B ...) on the same inputs, so that a
#               shared machine's load falls on both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=9
before=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "rov.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target rov_bench >/dev/null
after=build/bench/bench/rov_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per run: load, validate (1 thread, RIB order), load + validate
# (1 thread), load + validate (2 threads), floor, ratio, CPU (load +
# validate, 1 thread), and the ratio of CPU times (load + validate over the
# floor's), which a busy machine disturbs less.
columns() {
  awk '/^load/ {l = $2; c = $5} /RIB order: / {v1 = $4; t1 = $(NF - 1)} /2 threads/ {t2 = $(NF - 1)}
       /^floor/ {f = $2; r = $(NF - 7) + 0; rc = $(NF - 3) + 0; cpu = $(NF - 1)}
       END {printf "%s %s %s %s %s %s %s %s\n", l, v1, t1, t2, f, r, cpu, rc}' "$1"
}
summary() {
  local name="$1" file="$2"
  echo "-- $name: $runs runs; columns: load, validate (1 thread, RIB order), load + validate (1 thread), (2 threads), floor, ratio to floor, CPU s, CPU ratio to floor's CPU"
  sed 's/^/   /' "$file"
  for what in median min max; do
    printf '   %-6s' "$what"
    for col in 1 2 3 4 5 6 7 8; do
      sort -g -k"$col","$col" "$file" | awk -v c="$col" -v n="$runs" -v w="$what" '
        (w == "median" && NR == int((n + 1) / 2)) || (w == "min" && NR == 1) || (w == "max" && NR == n) {printf " %s", $c}'
    done
    echo
  done
}

measure() {
  local file="$1"
  : >"$tmp/after.all"
  : >"$tmp/before.all"
  for i in $(seq "$runs"); do
    if [ -n "$before" ]; then
      "$before" "$file" 1000000 >"$tmp/run.b.$i"
      columns "$tmp/run.b.$i" >>"$tmp/before.all"
    fi
    "$after" "$file" 1000000 >"$tmp/run.a.$i"
    columns "$tmp/run.a.$i" >>"$tmp/after.all"
  done
  cat "$tmp/run.a.1"
  if [ -n "$before" ]; then
    summary "before ($before)" "$tmp/before.all"
  fi
  summary "this tree" "$tmp/after.all"
  if [ -n "$before" ]; then
    paste "$tmp/before.all" "$tmp/after.all" | awk '{print $3 / $11}' | sort -g |
      awk -v n="$runs" 'NR == int((n + 1) / 2) {printf "-- before / after, load + validate (1 thread), median of per-pair ratios: %.2fx wall\n", $1}'
    paste "$tmp/before.all" "$tmp/after.all" | awk '{print $7 / $15}' | sort -g |
      awk -v n="$runs" 'NR == int((n + 1) / 2) {printf "-- before / after, the same in CPU time: %.2fx\n", $1}'
  fi
}

"$after" --generate-vrps 600000 "$tmp/vrps.json"
echo "== 600 k generated VRPs ($(du -h "$tmp/vrps.json" | cut -f1) of JSON), 1 M routes"
measure "$tmp/vrps.json"
if [ -f ../shared/data/rpki/samples/afrinic-roas-validator-export.csv ]; then
  echo "== real AFRINIC VRPs (~2022-01), 1 M routes"
  measure ../shared/data/rpki/samples/afrinic-roas-validator-export.csv
fi
