#!/usr/bin/env bash
# Benchmark for issue [6/7] item 7: parse-only `vigia mrt stats` on one core
# against the decompression floor of the same file on the same core:
# ISA-L's `igzip -dc` for gzip, `bzip2 -dc` for bzip2 (lbzip2 when installed
# is printed as a second floor). Runs are interleaved (floor, vigia, floor,
# vigia, ...) so that load from other processes on a shared machine hits
# both alike; prints the median wall time of each, the spread (min-max) and
# the ratio of the medians per file. Target: ratio <= 1.5.
#
# Both sides are pinned to one core (taskset -c $CORE) and vigia runs with
# --single-thread, so decompression and parsing share that core.
#
# Usage: bench/parse_vs_igzip.sh [--runs N] [--core C] [--vigia PATH] [--min-bytes B] [FILE...]
# Without FILEs: every .gz and .bz2 under ../shared/data/mrt (VIGIA_SHARED_DATA
# overrides ../shared/data) of at least --min-bytes compressed (default 0).
# Needs: a release build, igzip (Debian package isal), bzip2, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=11
core=0
vigia=build/release/vigia
min_bytes=0
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --core) core=$2; shift 2 ;;
    --vigia) vigia=$2; shift 2 ;;
    --min-bytes) min_bytes=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
data=${VIGIA_SHARED_DATA:-../shared/data}/mrt
[ -x "$vigia" ] || { echo "build first: cmake --build --preset release --target vigia" >&2; exit 2; }
command -v igzip >/dev/null || { echo "needs igzip (apt-get install isal)" >&2; exit 2; }
if [ ${#files[@]} -eq 0 ]; then
  [ -d "$data" ] || { echo "needs $data (or give FILEs)" >&2; exit 2; }
  while IFS= read -r f; do
    [ "$(stat -c %s "$f")" -ge "$min_bytes" ] && files+=("$f")
  done < <(find "$data" -type f \( -name '*.gz' -o -name '*.bz2' \) | sort)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Appends the wall time in seconds of one run of "$@" to file $1's list.
run_once() {
  local out=$1
  shift
  local s e
  s=$EPOCHREALTIME
  taskset -c "$core" "$@" >/dev/null 2>&1 || true
  e=$EPOCHREALTIME
  echo "$s $e" | awk '{printf "%.6f\n", $2 - $1}' >>"$out"
}

# median min max of a list of numbers, one a line.
summary() {
  python3 - "$1" <<'EOF'
import statistics, sys
v = [float(x) for x in open(sys.argv[1])]
print(f"{statistics.median(v):.6f} {min(v):.6f} {max(v):.6f}")
EOF
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); runs=$runs core=$core"
echo "# vigia: $vigia ($(git rev-parse --short HEAD 2>/dev/null || echo '?')); times in ms: median [min-max]"
printf '%-52s %9s %-6s %22s %22s %7s\n' "file" "bytes" "floor" "floor ms" "vigia stats ms" "ratio"
for f in "${files[@]}"; do
  case "$f" in
    *.bz2) floor=(bzip2 -dc "$f"); fname=bzip2 ;;
    *) floor=(igzip -dc "$f"); fname=igzip ;;
  esac
  : >"$tmp/floor"
  : >"$tmp/vigia"
  : >"$tmp/lbz"
  # One warm-up of each (page cache, binary), then interleaved runs.
  taskset -c "$core" "${floor[@]}" >/dev/null 2>&1 || true
  taskset -c "$core" "$vigia" mrt stats --single-thread -q "$f" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    run_once "$tmp/floor" "${floor[@]}"
    run_once "$tmp/vigia" "$vigia" mrt stats --single-thread -q "$f"
    if [ "$fname" = bzip2 ] && command -v lbzip2 >/dev/null; then
      run_once "$tmp/lbz" lbzip2 -n 1 -dc "$f"
    fi
  done
  read -r fm fmin fmax < <(summary "$tmp/floor")
  read -r vm vmin vmax < <(summary "$tmp/vigia")
  python3 - "$f" "$(stat -c %s "$f")" "$fname" "$fm" "$fmin" "$fmax" "$vm" "$vmin" "$vmax" <<'EOF'
import sys
f, size, fname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fm, fmin, fmax, vm, vmin, vmax = (float(x) * 1000 for x in sys.argv[4:10])
name = f if len(f) <= 52 else "..." + f[-49:]
print(f"{name:<52} {size:>9} {fname:<6} {fm:8.2f} [{fmin:5.2f}-{fmax:6.2f}] "
      f"{vm:8.2f} [{vmin:5.2f}-{vmax:6.2f}] {vm / fm:7.2f}")
EOF
  if [ -s "$tmp/lbz" ]; then
    read -r lm lmin lmax < <(summary "$tmp/lbz")
    echo "    lbzip2 -n1 floor: median $(awk -v x="$lm" 'BEGIN{printf "%.2f", x*1000}') ms"
  fi
done
