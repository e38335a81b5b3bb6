#!/usr/bin/env bash
# `vigia analyze` at full scale (issue [4/5] item 9; target < 60 s and
# < 4 GiB): simulates the full-scale Internet (75,000 ASes, 1,000,000
# prefixes, 50 peers) unless SNAP is given, then analyzes it into a fresh
# SQLite store (incidents, MANRS scores, aggregates, origin history),
# printing the time, peak memory and routes per second
# (RIB entries plus update NLRI). Also runs observe_bench (reading the MRT
# files only) on the same snapshot.
# Usage: bench/analyze.sh [SNAP]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target vigia observe_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
snap=${1:-}
if [ -z "$snap" ]; then
  snap=$tmp/full
  echo "== simulating the full-scale snapshot"
  build/bench/vigia simulate --ases 75000 --prefixes 1000000 --peers 50 --out "$snap" >/dev/null
fi
echo "== vigia analyze $snap"
/usr/bin/time -f "%e %M" -o "$tmp/time" build/bench/vigia analyze --json --db "sqlite:$tmp/vigia.db" "$snap" \
  >"$tmp/analyze.json"
read -r wall rss <"$tmp/time"
python3 - "$tmp/analyze.json" "$wall" "$rss" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
routes = j["rib_entries"] + j["announcements"] + j["withdrawals"]
wall = float(sys.argv[2])
print(f"  {j['rib_entries']:,} RIB entries, {j['announcements']:,} announcements, "
      f"{j['withdrawals']:,} withdrawals, {j['prefixes']:,} prefixes")
print("  incidents: " + ", ".join(f"{k} {v}" for k, v in j["incidents"].items()))
sec = j["seconds"]
print(f"  load {sec['load']:.1f} s, detect {sec['detect']:.1f} s, score {sec.get('score', 0):.1f} s, "
      f"store {sec.get('store', 0):.1f} s; {j.get('ases', 0):,} ASes scored, {j.get('aggregates', 0):,} aggregates")
print(f"  total: {wall:.1f} s wall, peak RSS {int(sys.argv[3]) / 1024:.0f} MB, "
      f"{routes / wall / 1e6:.2f} M routes/s")
PY
echo "== observe_bench (MRT reading only)"
/usr/bin/time -f "  %e s wall, peak RSS %M KB" build/bench/bench/observe_bench "$snap"
