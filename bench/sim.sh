#!/usr/bin/env bash
# `vigia simulate` at the sizes issue [3/5] names, with time and peak memory:
#   demo        2,000 ASes, 20,000 prefixes, 20 peers (the defaults)
#   full        75,000 ASes, 1,000,000 prefixes, 50 peers (target: < 10 min, < 8 GiB)
#   real-based  the CAIDA AS graph of 2022-03 (+ as2org 2022-04) and the
#               ip-location-db IPv4 prefix -> origin table, 50 peers
# Each run writes a whole snapshot (MRT RIBs and updates, ROAs, IRR, registry,
# topology, PeeringDB, truth.json); its steps' times come from --json. The
# first collector RIB of the demo run is then read by Debian bgpdump (line
# count; set BGPDUMP_ALL=1 to do so for every run: bgpdump needs over 10
# minutes for a full-scale RIB).
# Also runs sim_bench (routing + one RIB only) on the real inputs.
# "scale" runs bench/sim_scale.sh: 50 and 200 peers x 200 k prefixes with a
# day of churn, old options against new (issue [6/7] item 2); the full
# Internet size is bench/sim_scale.sh 1000x1200000x20000x100000000.
# Usage: bench/sim.sh [demo|full|real|scale]...   (default: demo full real)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target vigia sim_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # name, vigia simulate options...
  local name=$1
  shift
  echo "== $name: vigia simulate $*"
  /usr/bin/time -f "%e %M" -o "$tmp/time" build/bench/vigia simulate --out "$tmp/$name" --json "$@" \
    >"$tmp/$name.json"
  read -r wall rss <"$tmp/time"
  python3 - "$tmp/$name.json" "$wall" "$rss" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"  {j['ases']:,} ASes, {j['links']:,} links, {j['prefixes']:,} prefixes, {j['peers']} peers, "
      f"{j['collectors']} collectors")
print(f"  {j['rib_entries']:,} RIB entries, {j['update_messages']:,} update messages, "
      f"{j['roas']:,} ROAs, {j['route_objects']:,} route objects")
print(f"  {j['incidents']} incidents, {j['benign']} benign lookalikes, {j['events']:,} routing events"
      + (f" (short: {j['shortfall']})" if j['shortfall'] else ""))
print("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in j['seconds'].items()))
print(f"  total: {float(sys.argv[2]):.1f} s wall, peak RSS {int(sys.argv[3]) / 1024:.0f} MB")
PY
  du -sh "$tmp/$name" | awk '{print "  snapshot size: " $1}'
  if command -v bgpdump >/dev/null && { [ "$name" = demo ] || [ -n "${BGPDUMP_ALL:-}" ]; }; then
    local rib
    rib=$(ls "$tmp/$name"/mrt/*.bview.*.gz | head -1)
    echo "  bgpdump -m lines of $(basename "$rib"): $(bgpdump -q -m "$rib" 2>/dev/null | wc -l)"
  fi
  rm -rf "${tmp:?}/$name"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(demo full real)
for w in "${want[@]}"; do
  case $w in
    demo) run demo ;;
    full) run full --ases 75000 --prefixes 1000000 --peers 50 ;;
    real)
      for f in caida/serial-1/20220301.as-rel.txt.bz2 caida/as2org/20220401.as-org2info.txt.gz \
               ipmeta/ip-location-db/asn-ipv4.csv.xz; do
        [ -f "$data/$f" ] || { echo "sim.sh: $data/$f is absent; skipping the real-based run"; continue 2; }
      done
      run real --asrel "$data/caida/serial-1/20220301.as-rel.txt.bz2" \
        --as2org "$data/caida/as2org/20220401.as-org2info.txt.gz" \
        --pfx2as "$data/ipmeta/ip-location-db/asn-ipv4.csv.xz" --peers 50
      echo "== sim_bench (routing and one RIB only), real inputs"
      /usr/bin/time -f "total: %e s wall, peak RSS %M KB" \
        build/bench/bench/sim_bench "$data/caida/serial-1/20220301.as-rel.txt.bz2" \
        "$data/ipmeta/ip-location-db/asn-ipv4.csv.xz" "$tmp/rib.gz" 50
      ;;
    scale) VIGIA=build/bench/vigia bench/sim_scale.sh ;;
    *) echo "sim.sh: unknown run '$w' (demo, full, real, scale)"; exit 2 ;;
  esac
done
