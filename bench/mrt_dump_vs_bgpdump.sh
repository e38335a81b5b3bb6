#!/usr/bin/env bash
# Benchmark for issue [1/5]: `vigia mrt dump -m` against Debian `bgpdump -m`
# on the same inputs, and the parse-only path (`vigia mrt stats`) against
# plain decompression (zcat / bzcat). Prints wall times (best of N runs) and
# ratios, with two cores and with one (taskset), and peak memory.
#
# Usage: bench/mrt_dump_vs_bgpdump.sh [--runs N] [--big-entries N]
# Needs: a release build (scripts/setup.sh), bgpdump, ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
big_entries=5000000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --big-entries) big_entries=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
vigia=build/release/vigia
data=../shared/data/mrt
[ -x "$vigia" ] || { echo "build first: scripts/setup.sh" >&2; exit 2; }
[ -d "$data" ] || { echo "needs ../shared/data" >&2; exit 2; }
command -v bgpdump >/dev/null || { echo "needs bgpdump" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

big=$tmp/synthetic-rib.mrt.gz
echo "generating a ${big_entries}-entry TABLE_DUMP_V2 file with the MRT writer ..."
$vigia mrt generate --entries "$big_entries" --peers 50 --seed 1 --out "$big" 2>&1 | tail -1

# best wall time in seconds of a command (stdout to /dev/null), printed;
# the peak RSS of the runs (KiB) goes to $tmp/peak. A command slower than
# 30 s is run once.
best() {
  local b="" peak=0
  for _ in $(seq "$runs"); do
    local s e m
    s=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$tmp/mem" "$@" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    m=$(tail -1 "$tmp/mem")
    [ "$m" -gt "$peak" ] 2>/dev/null && peak=$m
    b=$(python3 -c "a=$e-$s; b='$b'; print(a if b=='' or a<float(b) else b)")
    python3 -c "import sys; sys.exit(0 if $b > 30 else 1)" && break
  done
  echo "$peak" > "$tmp/peak"
  printf '%.4f' "$b"
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

files=(
  "$data/bgpdump-testdata/updates.et-header.2015.gz"
  "$data/bgpdump-testdata/bview.20020722.2337.gz"
  "$data/pyasn/rib.20140523.0600_firstMB.bz2"
  "$big"
)

printf '\n%-34s %9s | %9s %7s %9s %7s | %8s %8s\n' "file (-m output)" "bgpdump" "vigia-2c" "x" "vigia-1c" "x" "MB vigia" "MB bgpd"
for f in "${files[@]}"; do
  name=$(basename "$f")
  tb=$(best bgpdump -m "$f"); mb=$(cat "$tmp/peak")
  t2=$(best $vigia mrt dump -m -q "$f"); mv=$(cat "$tmp/peak")
  t1=$(best taskset -c 0 $vigia mrt dump -m -q --single-thread "$f")
  printf '%-34s %9s | %9s %7s %9s %7s | %8.1f %8.1f\n' "$name" "$tb" "$t2" "$(ratio "$tb" "$t2")x" \
    "$t1" "$(ratio "$tb" "$t1")x" "$(python3 -c "print($mv/1024)")" "$(python3 -c "print($mb/1024)")"
done

printf '\n%-34s %9s | %9s %7s %9s %7s\n' "file (parse only)" "zcat/bzcat" "stats-2c" "ratio" "stats-1c" "ratio"
for f in "${files[@]}"; do
  name=$(basename "$f")
  case "$f" in *.bz2) dec=bzcat ;; *) dec=zcat ;; esac
  td=$(best $dec "$f")
  s2=$(best $vigia mrt stats -q "$f")
  s1=$(best taskset -c 0 $vigia mrt stats -q --single-thread "$f")
  printf '%-34s %9s | %9s %7s %9s %7s\n' "$name" "$td" "$s2" "$(ratio "$s2" "$td")x" "$s1" "$(ratio "$s1" "$td")x"
done
echo
echo "Targets: -m >= 10x faster than bgpdump; parse-only <= 1.5x the decompression time."
echo "(x = bgpdump time / vigia time for -m; ratio = vigia time / decompression time for stats)"
