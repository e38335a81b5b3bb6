#!/usr/bin/env bash
# Peak memory and wall time of `vigia analyze` against the number of
# collector peers, at a fixed number of prefixes (issue [6/7] items 1 and 6;
# docs/performance.md "Analyze memory").
#
# For each peer count it makes (once, kept for reuse) a snapshot with
# `vigia simulate --prefixes P --peers N`, then runs `vigia analyze` on it
# into a fresh SQLite store under `nice` and /usr/bin/time -v, one analyze at
# a time, and prints a table: RIB entries, updates, wall time (median and
# spread over --runs runs, sizes interleaved), the steps from --json, peak
# RSS, and peak RSS per RIB entry, with the least-squares fit
# peak = a + b * entries over the sizes run. Each run is appended to
# SCRATCH/results.tsv under a label, so that a later build (the bounded-
# memory `analyze`) can be run with another label and
# `--compare BEFORE AFTER` prints the two side by side; the digest column
# (SHA-256 of every table the analysis fills, sorted rows, the snapshots
# row and the id columns left out; incident numbering still shows in the
# entities' details) says whether the reports are the same.
#
# A size whose expected peak (0.3 GB + 45 B per RIB entry, today's design)
# exceeds --max-gb (default: 80 % of MemAvailable) is skipped and says so;
# pass --max-gb 0 to run every size (e.g. with ANALYZE_ARGS="--memory 8G"
# once analyze bounds its memory).
#
# Usage: bench/analyze_memory.sh [--prefixes 200000] [--peers "50 200 400 1000"]
#          [--ases N] [--runs 1] [--label NAME] [--scratch DIR] [--probe]
#          [--max-gb G] [--keep-db]
#        bench/analyze_memory.sh --compare LABEL_BEFORE LABEL_AFTER [--scratch DIR]
# Environment: VIGIA (binary; default build/release/vigia, built if absent),
#   ANALYZE_ARGS (extra `vigia analyze` options), PROBE (analyze_memory_probe).
# --probe also runs bench/analyze_memory_probe on each size: heap and peak RSS
# per stage and the bytes of each structure (needs -DVIGIA_BENCH=ON).
# 1,000 peers x 200 k prefixes: ~8 GB and ~2 min today; 1.2 M prefixes:
# `--prefixes 1200000 --ases 75000 --peers "50 200 1000"`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

prefixes=200000
peers="50 200 400 1000"
ases=""
runs=1
label=""
scratch=${SCRATCH:-/tmp/vigia-analyze-memory}
probe=0
max_gb=""
keep_db=0
compare=()
while [ $# -gt 0 ]; do
  case $1 in
    --prefixes) prefixes=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --ases) ases=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --scratch) scratch=$2; shift 2 ;;
    --probe) probe=1; shift ;;
    --max-gb) max_gb=$2; shift 2 ;;
    --keep-db) keep_db=1; shift ;;
    --compare) compare=("$2" "$3"); shift 3 ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "analyze_memory.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$scratch"
results=$scratch/results.tsv

if [ ${#compare[@]} -eq 2 ]; then
  python3 - "$results" "${compare[0]}" "${compare[1]}" <<'PY'
import sys, csv, statistics
path, a, b = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter="\t"))
def by(label):
    out = {}
    for r in rows:
        if r["label"] == label:
            out.setdefault((int(r["prefixes"]), int(r["peers"])), []).append(r)
    return out
A, B = by(a), by(b)
if not A or not B:
    sys.exit(f"no runs labelled {a!r} or {b!r} in {path}")
print(f"| prefixes | peers | RIB entries | wall {a} | wall {b} | peak RSS {a} | peak RSS {b} | reports |")
print("|---|---|---|---|---|---|---|---|")
for key in sorted(set(A) | set(B)):
    ra, rb = A.get(key, []), B.get(key, [])
    def med(rs, f):
        return statistics.median(float(r[f]) for r in rs) if rs else None
    wa, wb = med(ra, "wall_s"), med(rb, "wall_s")
    ma, mb = med(ra, "peak_kb"), med(rb, "peak_kb")
    da = {r["digest"] for r in ra}; db = {r["digest"] for r in rb}
    same = "—" if not ra or not rb else ("identical" if da == db and len(da) == 1 else "DIFFER")
    ent = (ra or rb)[0]["rib_entries"]
    fmt = lambda x, u: "—" if x is None else (f"{x:.1f} s" if u == "s" else f"{x / 1048576:.2f} GiB")
    print(f"| {key[0]:,} | {key[1]:,} | {int(ent):,} | {fmt(wa, 's')} | {fmt(wb, 's')} | "
          f"{fmt(ma, 'g')} | {fmt(mb, 'g')} | {same} |")
PY
  exit 0
fi

vigia=${VIGIA:-$root/build/release/vigia}
if [ ! -x "$vigia" ]; then
  cmake --preset release >/dev/null
  nice cmake --build --preset release -j2 --target vigia >/dev/null
fi
probe_bin=${PROBE:-$root/build/release/bench/analyze_memory_probe}
if [ "$probe" = 1 ] && [ ! -x "$probe_bin" ]; then
  cmake --preset release -DVIGIA_BENCH=ON >/dev/null
  nice cmake --build --preset release -j2 --target analyze_memory_probe >/dev/null
fi
[ -n "$ases" ] || ases=$(( prefixes / 10 < 2000 ? 2000 : (prefixes / 10 > 75000 ? 75000 : prefixes / 10) ))
[ -n "$label" ] || label=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo run)
if [ -z "$max_gb" ]; then
  max_gb=$(awk '/MemAvailable/ {printf "%.1f", $2 / 1048576 * 0.8}' /proc/meminfo)
fi
[ -f "$results" ] || printf 'label\tprefixes\tpeers\tases\trib_entries\tupdates\tprefixes_seen\twall_s\tpeak_kb\tload_s\tdetect_s\tscore_s\tstore_s\tdigest\tdate\n' >"$results"

# SHA-256 of what the store holds for the snapshot, ids and timings left
# out: the incidents, the scores, the origin history (the "reports").
digest() {  # db
  python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
h = hashlib.sha256()
skip = {"id", "snapshot", "snapshot_id", "created", "analyzed_at", "seconds"}
for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
    if t in ("snapshots", "schema_version", "meta", "contests"):
        continue
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})") if r[1] not in skip]
    if not cols:
        continue
    q = "SELECT " + ",".join(f'"{c}"' for c in cols) + f' FROM "{t}" ORDER BY ' + ",".join(f'"{c}"' for c in cols)
    h.update(t.encode())
    for row in con.execute(q):
        h.update(repr(row).encode())
print(h.hexdigest()[:16])
PY
}

snap_of() { echo "$scratch/p$1x$prefixes"; }

echo "== vigia analyze memory vs peers: $prefixes prefixes, $ases ASes, peers: $peers; label $label"
echo "   (machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo) GiB, load average $(cut -d' ' -f1-3 /proc/loadavg); shared machines make times noisy)"
run_sizes=()
for n in $peers; do
  entries=$(( n * prefixes ))  # about one RIB entry per peer and prefix, per collector dump
  need=$(awk -v e="$entries" 'BEGIN {printf "%.1f", 0.3 + 45 * e / 1e9}')
  if [ "$max_gb" != 0 ] && awk -v a="$need" -v b="$max_gb" 'BEGIN {exit !(a > b)}'; then
    echo "-- $n peers: skipped, expected peak ~$need GB > --max-gb $max_gb"
    continue
  fi
  snap=$(snap_of "$n")
  if [ ! -f "$snap/manifest.json" ]; then
    echo "-- simulating $n peers x $prefixes prefixes into $snap"
    rm -rf "$snap"
    nice /usr/bin/time -f "%e %M" -o "$snap.simtime" "$vigia" simulate --out "$snap" \
      --ases "$ases" --prefixes "$prefixes" --peers "$n" --json >"$snap.sim.json"
    read -r sw sr <"$snap.simtime"
    echo "   simulate: $sw s wall, peak RSS $(( sr / 1024 )) MB, $(du -sh "$snap" | cut -f1) on disk"
  fi
  run_sizes+=("$n")
done

for ((r = 1; r <= runs; r++)); do
  for n in "${run_sizes[@]}"; do
    snap=$(snap_of "$n")
    db=$scratch/analyze-$n.db
    rm -f "$db" "$db-wal" "$db-shm"
    # shellcheck disable=SC2086
    nice /usr/bin/time -v -o "$scratch/time.txt" "$vigia" analyze --json --db "sqlite:$db" \
      ${ANALYZE_ARGS:-} "$snap" >"$scratch/analyze.json" || true
    d=$(digest "$db")
    python3 - "$scratch/analyze.json" "$scratch/time.txt" "$results" "$label" "$prefixes" "$n" \
      "$ases" "$d" <<'PY'
import json, re, sys, time
js, tf, res, label, prefixes, peers, ases, digest = sys.argv[1:]
j = json.load(open(js))
t = open(tf).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
s = j["seconds"]
with open(res, "a") as f:
    f.write("\t".join(map(str, [label, prefixes, peers, ases, j["rib_entries"],
        j["announcements"] + j["withdrawals"], j["prefixes"], f"{wall:.2f}", rss,
        f"{s['load']:.2f}", f"{s['detect']:.2f}", f"{s.get('score', 0):.2f}",
        f"{s.get('store', 0):.2f}", digest, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())])) + "\n")
print(f"-- run {peers} peers: {wall:.1f} s wall, peak RSS {rss / 1048576:.2f} GiB, digest {digest}")
PY
    [ "$keep_db" = 1 ] || rm -f "$db" "$db-wal" "$db-shm"
  done
done

if [ "$probe" = 1 ]; then
  for n in "${run_sizes[@]}"; do
    echo "== analyze_memory_probe, $n peers x $prefixes prefixes"
    rm -f "$scratch/probe.db"
    nice "$probe_bin" "$(snap_of "$n")" "$scratch/probe.db" | tee "$scratch/probe-$n.txt"
    rm -f "$scratch/probe.db" "$scratch/probe.db-wal" "$scratch/probe.db-shm"
  done
fi

python3 - "$results" "$label" "$prefixes" <<'PY'
import csv, statistics, sys
path, label, prefixes = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [r for r in csv.DictReader(open(path), delimiter="\t")
        if r["label"] == label and int(r["prefixes"]) == prefixes]
by = {}
for r in rows:
    by.setdefault(int(r["peers"]), []).append(r)
print()
print(f"| peers | RIB entries | updates | wall (median, spread) | load / detect / score / store s | peak RSS | B per RIB entry | reports digest |")
print("|---|---|---|---|---|---|---|---|")
xs, ys = [], []
for n in sorted(by):
    rs = by[n]
    ent = int(rs[0]["rib_entries"])
    walls = sorted(float(r["wall_s"]) for r in rs)
    peaks = [int(r["peak_kb"]) * 1024 for r in rs]
    pk = statistics.median(peaks)
    steps = " / ".join(f"{statistics.median(float(r[k]) for r in rs):.1f}"
                       for k in ("load_s", "detect_s", "score_s", "store_s"))
    spread = f" ({walls[0]:.1f}–{walls[-1]:.1f}, {len(walls)} runs)" if len(walls) > 1 else ""
    dig = ",".join(sorted({r["digest"] for r in rs}))
    print(f"| {n:,} | {ent:,} | {int(rs[0]['updates']):,} | {statistics.median(walls):.1f} s{spread} | "
          f"{steps} | {pk / 2**30:.2f} GiB | {pk / ent:.1f} | {dig} |")
    xs.append(ent); ys.append(pk)
if len(xs) >= 2:
    mx, my = statistics.mean(xs), statistics.mean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    a = my - b * mx
    print(f"\nfit: peak RSS = {a / 2**30:.2f} GiB + {b:.1f} B x RIB entries "
          f"(1,000 peers x 1.2 M prefixes, 1.2 G entries: {(a + b * 1.2e9) / 2**30:.1f} GiB)")
PY
