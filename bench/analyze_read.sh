#!/usr/bin/env bash
# analyze's MRT loading against `vigia mrt stats` on the same files (issue
# [6/7] item 7: target analyze <= 3x mrt stats at every size, files read in
# parallel). For each snapshot SNAP, RUNS interleaved rounds of:
#   stats   vigia mrt stats -q SNAP/mrt/*          (parse only, its defaults)
#   read    analyze_read_bench SNAP                (LoadSnapshot's MRT step:
#           ObservedRoutes::AddDirectory with one thread per core, + Finish)
#   read1   analyze_read_bench SNAP 1              (the same on one thread)
#   before  BEFORE/analyze_read_bench SNAP         (with --before BEFORE: the
#           driver built from the commit to compare with; a driver
#           without the cpu= field shows no CPU time)
# and prints per command the median wall seconds [min-max], the median CPU
# seconds (all threads), microseconds per route (RIB entries + update
# NLRI), and the ratios to stats. Every read run prints a digest of what
# the detectors read; the script fails when two runs disagree (the
# canonical sighting digest is compared with --before, whose std::sort
# left equal sightings in another order).
# Usage: bench/analyze_read.sh [--runs N] [--before DIR] SNAP...
# Snapshots: real files (a directory with mrt/ holding copies of
# /work/shared/data/mrt RIBs and updates) and `vigia simulate --peers P
# --prefixes 200000 --out SNAP` (see bench/README.md). Timings on a shared
# machine are noisy: read the spread.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
before=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--runs N] [--before DIR] SNAP..." >&2; exit 2; }
build=${BUILD:-build/release}
if [ -z "${NO_BUILD:-}" ]; then
  cmake --preset release -DVIGIA_BENCH=ON >/dev/null
  cmake --build "$build" --target vigia analyze_read_bench >/dev/null
fi
vigia=$build/vigia
read_bench=$build/bench/analyze_read_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for snap in "$@"; do
  out=$tmp/$(basename "$snap").txt
  : >"$out"
  for ((r = 1; r <= runs; r++)); do
    /usr/bin/time -f "stats %e %U %S" -a -o "$out" "$vigia" mrt stats -q "$snap"/mrt/* >/dev/null || true
    echo "read $("$read_bench" "$snap")" >>"$out"
    echo "read1 $("$read_bench" "$snap" 1)" >>"$out"
    if [ -n "$before" ]; then echo "before $("$before/analyze_read_bench" "$snap")" >>"$out"; fi
  done
  python3 - "$snap" "$out" <<'PY'
import statistics, sys
snap, path = sys.argv[1], sys.argv[2]
runs = {}
for line in open(path):
    f = line.split()
    if not f or f[0] not in ("stats", "read", "read1", "before"):
        continue
    if f[0] == "stats":
        runs.setdefault("stats", []).append({"wall": float(f[1]), "cpu": float(f[2]) + float(f[3])})
    else:
        kv = dict(x.split("=") for x in f[1:])
        runs.setdefault(f[0], []).append(
            {"wall": float(kv["total"]), "cpu": float(kv.get("cpu", "nan")), "kv": kv})
kv = runs["read"][0]["kv"]
routes = int(kv["rib_entries"]) + int(kv["announcements"]) + int(kv["withdrawals"])
for name in ("read", "read1", "before"):
    for x in runs.get(name, []):
        for key in ("meta", "sightings_canon") + (("sightings_raw",) if name != "before" else ()):
            if x["kv"][key] != kv[key]:
                sys.exit(f"{snap}: {name} gave a different {key}: {x['kv'][key]} vs {kv[key]}")
print(f"== {snap}: {int(kv['rib_entries']):,} RIB entries, {routes:,} routes, "
      f"{int(kv['prefixes']):,} prefixes, {int(kv['peers'])} peers, {len(runs['stats'])} runs")
med = {n: (statistics.median(x["wall"] for x in v), statistics.median(x["cpu"] for x in v),
           min(x["wall"] for x in v), max(x["wall"] for x in v)) for n, v in runs.items()}
for n in ("stats", "read", "read1", "before"):
    if n not in med:
        continue
    w, c, lo, hi = med[n]
    extra = "" if n == "stats" else \
        f"   ratio to stats: wall {w / med['stats'][0]:.2f}x, cpu {c / med['stats'][1]:.2f}x"
    extra = extra.replace("cpu nanx", "cpu -")
    print(f"  {n:7s} wall {w:7.2f} s [{lo:.2f}-{hi:.2f}]  cpu {c:7.2f} s  "
          f"{w / routes * 1e6:.3f} us/route{extra}")
print("  results identical across runs" + (" and to --before (canonical order)" if "before" in runs else ""))
PY
done
