#!/usr/bin/env bash
# Detection accuracy against the simulator's ground truth (issue [4/5] item
# 6): simulates snapshots of several seeds and sizes, runs `vigia analyze`
# and `vigia incidents --json` on each, and prints precision and recall per
# type, and how many benign lookalikes were flagged.
#
# A detection matches a truth.json incident of the same type and culprit
# that shares a prefix and overlaps it in time (60 s of slack at the end),
# the rule of src/detect/detect_test.cc.
#
# Usage: bench/accuracy.sh [SIZE...]   SIZE = demo (2,000 ASes, 20,000
#        prefixes; the default, seeds 1-3), large (20,000 ASes, 200,000
#        prefixes, 30 peers; seeds 1-2), full (75,000 ASes, 1,000,000
#        prefixes, 50 peers; seed 1; about 3 minutes and 3 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/vigia ] || cmake --build build/release --target vigia >/dev/null
vigia=build/release/vigia
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(demo)
runs=()
for size in "${sizes[@]}"; do
  case "$size" in
    demo) for s in 1 2 3; do runs+=("demo $s --ases 2000 --prefixes 20000 --peers 20"); done ;;
    large) for s in 1 2; do runs+=("large $s --ases 20000 --prefixes 200000 --peers 30"); done ;;
    full) runs+=("full 1 --ases 75000 --prefixes 1000000 --peers 50") ;;
    *) echo "bench/accuracy.sh: unknown size '$size' (demo, large, full)" >&2; exit 2 ;;
  esac
done
for run in "${runs[@]}"; do
  read -r name seed opts <<<"$run"
  dir=$tmp/$name-$seed
  echo "== $name, seed $seed: vigia simulate $opts"
  # shellcheck disable=SC2086
  $vigia simulate --seed "$seed" $opts --out "$dir/snap" >/dev/null 2>&1
  $vigia analyze --db "sqlite:$dir/vigia.db" "$dir/snap" >/dev/null 2>"$dir/analyze.err" || true
  $vigia incidents --json --limit 100000 --db "sqlite:$dir/vigia.db" >"$dir/incidents.json"
done
python3 - "$tmp" <<'PY'
import json, os, sys
from datetime import datetime, timezone
def epoch(s): return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
def matches(d, t):
    if d["type"] != t["type"] or d["culprit"] != t["culprit"]: return False
    if epoch(d["end"]) < epoch(t["start"]) or epoch(d["start"]) > epoch(t["end"]) + 60: return False
    return bool(set(d["prefixes"]) & set(t["prefixes"]))
root = sys.argv[1]
total = {}
for run in sorted(os.listdir(root)):
    found = json.load(open(os.path.join(root, run, "incidents.json")))
    truth = json.load(open(os.path.join(root, run, "snap", "truth.json")))
    per = {}
    used = [False] * len(truth["incidents"])
    irr = sum(1 for d in found if d["type"] == "irr_unregistered")
    found = [d for d in found if d["type"] != "irr_unregistered"]  # a registration state: no truth for it
    for d in found:
        p = per.setdefault(d["type"], [0, 0, 0, 0])  # detected, true positives, truth, found
        p[0] += 1
        hit = False
        for k, t in enumerate(truth["incidents"]):
            if matches(d, t): hit = True; used[k] = True
        p[1] += hit
    for k, t in enumerate(truth["incidents"]):
        p = per.setdefault(t["type"], [0, 0, 0, 0])
        p[2] += 1
        p[3] += used[k]
    flagged = 0
    for b in truth["benign"]:
        if any(matches(d, dict(b, type=d["type"])) for d in found): flagged += 1
    print(f"\n{run}: {len(found)} incidents (and {irr} irr_unregistered), {len(truth['incidents'])} injected, "
          f"{flagged} of {len(truth['benign'])} benign lookalikes flagged")
    print(f"  {'type':<18} {'precision':>9} {'recall':>7}  detected/true pos., truth/found")
    for ty, (det, tp, tr, fo) in sorted(per.items()):
        print(f"  {ty:<18} {tp / det if det else 1:9.3f} {fo / tr if tr else 1:7.3f}  {det}/{tp}, {tr}/{fo}")
        a = total.setdefault(ty, [0, 0, 0, 0])
        for i, x in enumerate((det, tp, tr, fo)): a[i] += x
    total.setdefault("_benign", [0, 0, 0, 0])
    total["_benign"][0] += flagged
    total["_benign"][1] += len(truth["benign"])
print("\nall runs")
print(f"  {'type':<18} {'precision':>9} {'recall':>7}  detected/true pos., truth/found")
for ty, (det, tp, tr, fo) in sorted(total.items()):
    if ty == "_benign": continue
    print(f"  {ty:<18} {tp / det if det else 1:9.3f} {fo / tr if tr else 1:7.3f}  {det}/{tp}, {tr}/{fo}")
print(f"  benign lookalikes flagged: {total['_benign'][0]} of {total['_benign'][1]}")
PY
