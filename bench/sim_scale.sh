#!/usr/bin/env bash
# `vigia simulate` towards the full Internet (issue [6/7] item 2): wall time,
# peak RSS and size on disk at growing peers x prefixes, each with a day of
# background churn, the old way (default options) and the new one
# (--churn, --gzip-level 1, --collector-names real, collectors written in
# parallel), interleaved (old, new, old, new ...) when OLD names another
# binary to compare with (e.g. main's build).
#
#   bench/sim_scale.sh [SIZE...]     SIZE = PEERSxPREFIXES[xASES[xCHURN]]
#   default sizes: 50x200000x5000x10000000 200x200000x5000x20000000
#   the full size: 1000x1200000x20000x100000000: about an hour on 2 shared
#   cores (RIBs ~0.4 M entries/s, churn ~0.2 M prefix updates/s measured) and
#   ~3-5 GB (measured at --gzip-level 1: ~1 byte per RIB entry, synthetic RIBs
#   repeat a lot; ~12 bytes per churned prefix update). Check df first.
#
# Env: VIGIA (binary; default build/bench/vigia), OLD (binary run with the
# same sizes without the new options, and so is VIGIA ("same": the old
# work with the new code); the churn is then left out, as the old binary
# cannot make it), OUT (scratch directory; default a temp dir),
# COLLECTORS (default 8), REPEAT (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIGIA:-}" ]; then
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
  cmake --build build/bench --target vigia >/dev/null
  VIGIA=build/bench/vigia
fi
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
collectors=${COLLECTORS:-8}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50x200000x5000x10000000 200x200000x5000x20000000)

run() {  # label binary peers prefixes ases [extra options...]
  local label=$1 bin=$2 peers=$3 prefixes=$4 ases=$5
  shift 5
  local dir="$out/snap"
  rm -rf "$dir"
  /usr/bin/time -f "%e %M" -o "$out/time" "$bin" simulate --out "$dir" --json --days 1 \
    --peers "$peers" --prefixes "$prefixes" --ases "$ases" --collectors "$collectors" "$@" \
    >"$out/run.json" 2>/dev/null
  read -r wall rss <"$out/time"
  local size
  size=$(du -sb "$dir" | cut -f1)
  python3 - "$out/run.json" "$label" "$wall" "$rss" "$size" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
label, wall, rss, size = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
steps = j["seconds"]
print(f"  {label:4} {j['peers']:5} peers {j['prefixes']:>9,} prefixes {j['collectors']} collectors: "
      f"{wall:7.1f} s, peak RSS {rss / 1024:6.0f} MB, {size / 1e9:6.2f} GB on disk; "
      f"{j['rib_entries']:,} RIB entries, {j['update_messages']:,} update messages, "
      f"churn {j.get('churn_prefix_updates', 0):,} prefix updates; "
      + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items() if v >= 1))
PY
  rm -rf "$dir"
}

echo "vigia simulate scale (machine: $(nproc) cores; $(date -u +%FT%TZ))"
for s in "${sizes[@]}"; do
  IFS=x read -r peers prefixes ases churn <<<"$s"
  ases=${ases:-20000}
  churn=${churn:-100000000}
  echo "== $peers peers x $prefixes prefixes, $ases ASes, churn $churn/day, $collectors collectors"
  for ((r = 0; r < ${REPEAT:-1}; ++r)); do
    if [ -n "${OLD:-}" ]; then
      run old "$OLD" "$peers" "$prefixes" "$ases"
      run same "$VIGIA" "$peers" "$prefixes" "$ases"  # the old work, new code
    fi
    run new "$VIGIA" "$peers" "$prefixes" "$ases" --churn "$churn" --gzip-level 1 \
      --collector-names real
  done
done
