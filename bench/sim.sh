#!/usr/bin/env bash
# Simulation at scale (issue [3/5]), real-based: the CAIDA AS graph of
# 2022-03 and the ip-location-db IPv4 prefix -> origin table (2026-06),
# routed to the 50 ASes with the most customers as collector peers, and that
# collector's TABLE_DUMP_V2 RIB written (gzip). Prints each step's time and
# the peak memory; then checks the RIB with Debian bgpdump (entry count).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
for f in caida/serial-1/20220301.as-rel.txt.bz2 ipmeta/ip-location-db/asn-ipv4.csv.xz; do
  [ -f "$data/$f" ] || { echo "sim.sh: $data/$f is absent; skipping"; exit 0; }
done
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target sim_bench >/dev/null
echo "== real-based: CAIDA 2022-03 graph, ip-location-db IPv4 table"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f "total: %e s wall, %U s user, %S s sys, peak RSS %M KB" \
  build/bench/bench/sim_bench "$data/caida/serial-1/20220301.as-rel.txt.bz2" \
  "$data/ipmeta/ip-location-db/asn-ipv4.csv.xz" "$tmp/rib.gz" "${PEERS:-50}"
ls -l "$tmp/rib.gz" | awk '{printf "rib file: %.1f MB\n", $5 / 1e6}'
if command -v bgpdump >/dev/null; then
  echo "bgpdump -m lines: $(bgpdump -q -m "$tmp/rib.gz" 2>/dev/null | wc -l)"
fi

# Synthetic: the demo size and full scale (issue [3/5] item 7).
for size in "2000 20000 20" "75000 1000000 50"; do
  read -r ases prefixes peers <<<"$size"
  echo "== synthetic: $ases ASes, $prefixes prefixes, $peers peers"
  /usr/bin/time -f "total: %e s wall, %U s user, %S s sys, peak RSS %M KB" \
    build/bench/bench/sim_bench --synthetic "$ases" "$prefixes" "$tmp/syn.gz" "$peers"
done
