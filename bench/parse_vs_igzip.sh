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
# --single-thread, so decompression and parsing share that core. Besides the
# wall time it prints the CPU time (perf task-clock) of each side and its ratio,
# steadier than wall time on a shared machine. --baseline PATH runs a second
# vigia binary (e.g. one built from the previous commit) in the same
# interleaving, for a before/after comparison under the same load.
#
# Usage: bench/parse_vs_igzip.sh [--runs N] [--core C] [--vigia PATH] [--baseline PATH]
#                                [--min-bytes B] [FILE...]
# Without FILEs: every .gz and .bz2 under ../shared/data/mrt (VIGIA_SHARED_DATA
# overrides ../shared/data) of at least --min-bytes compressed (default 0).
# Needs: a release build, igzip (Debian package isal), bzip2, python3, perf or GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=11
core=0
vigia=build/release/vigia
baseline=
min_bytes=0
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --core) core=$2; shift 2 ;;
    --vigia) vigia=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --min-bytes) min_bytes=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
data=${VIGIA_SHARED_DATA:-../shared/data}/mrt
[ -x "$vigia" ] || { echo "build first: cmake --build --preset release --target vigia" >&2; exit 2; }
[ -z "$baseline" ] || [ -x "$baseline" ] || { echo "no such binary: $baseline" >&2; exit 2; }
command -v igzip >/dev/null || { echo "needs igzip (apt-get install isal)" >&2; exit 2; }
if [ ${#files[@]} -eq 0 ]; then
  [ -d "$data" ] || { echo "needs $data (or give FILEs)" >&2; exit 2; }
  while IFS= read -r f; do
    [ "$(stat -c %s "$f")" -ge "$min_bytes" ] && files+=("$f")
  done < <(find "$data" -type f \( -name '*.gz' -o -name '*.bz2' \) | sort)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Appends "wall cpu" in seconds of one run of "$@" to file $1. CPU time is
# perf's task-clock (the process and its threads), GNU time's user + sys
# (10 ms resolution) where perf cannot count.
if perf stat -x, -e task-clock -o /dev/null true 2>/dev/null; then
  cpu_tool=perf
else
  cpu_tool=time
fi
run_once() {
  local out=$1
  shift
  local s e c
  s=$EPOCHREALTIME
  if [ "$cpu_tool" = perf ]; then
    perf stat -x, -e task-clock -o "$tmp/cpu" taskset -c "$core" "$@" >/dev/null 2>&1 || true
    e=$EPOCHREALTIME
    c=$(awk -F, '/task-clock/ {printf "%.6f", $1 / 1000}' "$tmp/cpu")
  else
    /usr/bin/time -f '%U %S' -o "$tmp/cpu" taskset -c "$core" "$@" >/dev/null 2>&1 || true
    e=$EPOCHREALTIME
    c=$(tail -1 "$tmp/cpu" | awk '{printf "%.3f", $1 + $2}')
  fi
  echo "$s $e $c" | awk '{printf "%.6f %s\n", $2 - $1, $3}' >>"$out"
}

cat >"$tmp/summary.py" <<'PY'
# median, min and max of the walls, median of the CPU times, in ms.
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
w = [r[0] * 1000 for r in rows]
c = [r[1] * 1000 for r in rows]
print(f"{statistics.median(w):.3f} {min(w):.3f} {max(w):.3f} {statistics.median(c):.3f}")
PY
cat >"$tmp/line.py" <<'PY'
import sys
f, size, fname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
v = [float(x) for x in sys.argv[4:]]
name = f if len(f) <= 46 else "..." + f[-43:]
fw, fmin, fmax, fc = v[0:4]
line = f"{name:<46} {size:>8} {fname:<5} {fw:7.1f} [{fmin:6.1f}-{fmax:6.1f}] {fc:6.1f}"
for i in range(4, len(v), 4):
    w, lo, hi, c = v[i:i + 4]
    cx = c / fc if fc > 0 else float("nan")
    line += f" | {w:7.1f} [{lo:6.1f}-{hi:6.1f}] {c:6.1f} {w / fw:6.2f} {cx:6.2f}"
print(line)
PY

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); runs=$runs core=$core"
echo "# vigia: $vigia${baseline:+; baseline: $baseline}"
echo "# wall ms: median [min-max]; cpu: median CPU ms ($cpu_tool); x: vigia / floor"
echo "# (the machine may be shared: compare ratios measured in the same interleaving)"
printf '%-46s %8s %-5s %24s %6s | %24s %6s %6s %6s' "file" "bytes" "floor" "floor wall" "cpu" \
  "vigia wall" "cpu" "wall x" "cpu x"
[ -n "$baseline" ] && printf ' | %24s %6s %6s %6s' "baseline wall" "cpu" "wall x" "cpu x"
echo
for f in "${files[@]}"; do
  case "$f" in
    *.bz2) floor=(bzip2 -dc "$f"); fname=bzip2 ;;
    *) floor=(igzip -dc "$f"); fname=igzip ;;
  esac
  : >"$tmp/floor"
  : >"$tmp/vigia"
  : >"$tmp/base"
  : >"$tmp/lbz"
  # One warm-up of each (page cache, binary), then interleaved runs.
  taskset -c "$core" "${floor[@]}" >/dev/null 2>&1 || true
  taskset -c "$core" "$vigia" mrt stats --single-thread -q "$f" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    run_once "$tmp/floor" "${floor[@]}"
    run_once "$tmp/vigia" "$vigia" mrt stats --single-thread -q "$f"
    if [ -n "$baseline" ]; then
      run_once "$tmp/base" "$baseline" mrt stats --single-thread -q "$f"
    fi
    if [ "$fname" = bzip2 ] && command -v lbzip2 >/dev/null; then
      run_once "$tmp/lbz" lbzip2 -n 1 -dc "$f"
    fi
  done
  args=("$f" "$(stat -c %s "$f")" "$fname")
  for side in floor vigia base; do
    # shellcheck disable=SC2207
    [ -s "$tmp/$side" ] && args+=($(python3 "$tmp/summary.py" "$tmp/$side"))
  done
  python3 "$tmp/line.py" "${args[@]}"
  if [ -s "$tmp/lbz" ]; then
    echo "    lbzip2 -n1 floor: median $(python3 "$tmp/summary.py" "$tmp/lbz" | cut -d' ' -f1) ms wall"
  fi
done
