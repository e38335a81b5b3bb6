#!/usr/bin/env bash
# IRR benchmarks (SPEC C4): RPSL parse throughput on a generated dump of
# about 300 MB (target >= 200 MB/s) and the expansion of a nested as-set of
# 50,000 member ASNs (target < 1 s). IRR_BENCH_MB changes the dump size.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target irr_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/bench/bench/irr_bench --generate-dump "${IRR_BENCH_MB:-300}" "$tmp/bench.db"
echo "== generated dump, plain (second read: page cache warm)"
build/bench/bench/irr_bench --parse "$tmp/bench.db" >/dev/null
build/bench/bench/irr_bench --parse "$tmp/bench.db"
if command -v gzip >/dev/null; then
  gzip -1 -c "$tmp/bench.db" > "$tmp/bench.db.gz"
  echo "== the same dump, gzip ($(du -h "$tmp/bench.db.gz" | cut -f1))"
  build/bench/bench/irr_bench --parse "$tmp/bench.db.gz"
fi
echo "== nested as-set of 50,000 member ASNs"
build/bench/bench/irr_bench --expand 50000
