#!/usr/bin/env bash
# Page by page, side by side (issue [6/7] item 7): `vigia serve` builds
# answering /metrics (the server's ceiling: no store), /api/overview,
# /api/as/ASN (ASNs drawn at random from up to 10,000 of the ranking) and
# /api/incidents?limit=1000, each unpaced (saturation req/s and p99) and
# paced at RATE req/s (p99), interleaved: every round runs every variant
# once, in turn, on the same store. Prints per variant and page the median
# and range over the rounds, and each page's req/s as a share of the
# variant's own /metrics ceiling. Targets: every page >= 0.5x /metrics,
# incident pages >= 500 req/s, p99 < 20 ms at 500 req/s.
#
# Usage: bench/serve_pages.sh STORE.db NAME=VIGIA[,ARGS] ...
#   e.g. bench/serve_pages.sh /tmp/x/vigia.db before=/tmp/vigia.old \
#          after=build/release/vigia after-nocache=build/release/vigia,--cache-mb,0
# Environment: ROUNDS (3), SECS (5), WARMUP_SECONDS (3, unpaced AS reports
#   at random before the measured runs), WARM_ALL (0; 1: first visit every
#   AS page of the list once, as on a server that has been up a while),
#   RATE (500), CONNS (10), WRK_THREADS (2).
# The load generator shares the machine's cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,18p "$0"; exit 2; }
db=$1
shift
rounds=${ROUNDS:-3}
secs=${SECS:-5}
warmup=${WARMUP_SECONDS:-3}
warm_all=${WARM_ALL:-0}
rate=${RATE:-500}
conns=${CONNS:-10}
wthreads=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "bench/serve_pages.sh: wrk not found" >&2; exit 1; }
tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
names=()
for v in "$@"; do
  name=${v%%=*}
  IFS=, read -r -a cmd <<<"${v#*=}"
  cp "${cmd[0]}" "$tmp/vigia.$name"  # a rebuild cannot swap it mid-run
  : >"$tmp/args.$name"
  [ ${#cmd[@]} -gt 1 ] && printf '%s\n' "${cmd[@]:1}" >"$tmp/args.$name"
  names+=("$name")
done
cat "$db" >/dev/null
echo "== $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) before the runs; store $db ($(du -m "$db" | cut -f1) MB)"

start() {
  local name=$1
  mapfile -t args <"$tmp/args.$name"
  "$tmp/vigia.$name" serve --db "sqlite:$db" --listen 127.0.0.1:0 --no-access-log ${args[@]+"${args[@]}"} \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server=$!
  for _ in $(seq 300); do
    grep -q '^vigia: serving' "$tmp/serve.out" && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's/^vigia: serving //p' "$tmp/serve.out")
}
stop() {
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=
}
# one NAME PAGE MODE RATE ROUND
one() {
  SERVE_MODE=$3 SERVE_ASNS=$tmp/asns.txt SERVE_RATE=$4 SERVE_WRK_THREADS=$wthreads \
    wrk -t"$wthreads" -c"$conns" -d"${secs}s" --timeout 5s --latency -s bench/serve.lua "$url" >"$tmp/wrk.out"
  python3 - "$@" "$tmp/wrk.out" >>"$tmp/results" <<'PY'
import json, re, sys
name, page, mode, rate, rnd, out = sys.argv[1:]
j = json.loads(re.search(r"SERVE_RESULT (\{.*\})", open(out).read())[1])
j.update(name=name, page=page, rate=int(rate), round=int(rnd))
print(json.dumps(j))
PY
}

pages=("metrics path:/metrics" "overview overview" "as as" "incidents1000 path:/api/incidents?limit=1000")
for r in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    start "$name"
    if [ ! -s "$tmp/asns.txt" ]; then
      python3 - "$url" "$tmp/asns.txt" <<'PY'
import json, sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
ids, offset = [], 0
while len(ids) < 10000:
    with urllib.request.urlopen(f"{url}/api/ranking?kind=as&limit=1000&offset={offset}") as r:
        page = [e["id"] for e in json.load(r)["entities"]]
    if not page:
        break
    ids += page
    offset += 1000
open(out, "w").write("\n".join(ids) + "\n")
print(f"   {len(ids):,} ASNs for /api/as/")
PY
    fi
    if [ "$warm_all" = 1 ]; then
      # wrk has no request count: long enough for the list at 400 req/s.
      SERVE_MODE=asseq SERVE_ASNS=$tmp/asns.txt SERVE_RATE=0 SERVE_WRK_THREADS=2 \
        wrk -t2 -c4 -d"$(($(wc -l <"$tmp/asns.txt") / 400 + 1))s" -s bench/serve.lua "$url" >/dev/null
    fi
    SERVE_MODE=as SERVE_ASNS=$tmp/asns.txt SERVE_RATE=0 \
      wrk -t"$wthreads" -c"$conns" -d"${warmup}s" -s bench/serve.lua "$url" >/dev/null
    for p in "${pages[@]}"; do
      read -r page mode <<<"$p"
      one "$name" "$page" "$mode" 0 "$r"
      one "$name" "$page" "$mode" "$rate" "$r"
    done
    stop
    echo "   round $r: $name done"
  done
done

python3 - "$tmp/results" "$rate" "${names[@]}" <<'PY'
import json, statistics, sys
path, rate, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = [json.loads(l) for l in open(path)]
pages = ["metrics", "overview", "as", "incidents1000"]
def pick(name, page, paced):
    return [j for j in rows if j["name"] == name and j["page"] == page and (j["rate"] > 0) == paced]
def med(xs):
    return statistics.median(xs) if xs else float("nan")
def rng(xs):
    return f"{min(xs):,.0f}-{max(xs):,.0f}" if xs else "-"
print()
print(f"| variant | page | req/s median (range) | x /metrics | p99 ms unpaced | p99 ms at {rate}/s (range) | errors+non-2xx |")
print("|---|---|---|---|---|---|---|")
for n in names:
    ceiling = med([j["rps"] for j in pick(n, "metrics", False)])
    for p in pages:
        u, q = pick(n, p, False), pick(n, p, True)
        rps = [j["rps"] for j in u]
        p99q = [j["p99"] for j in q]
        bad = sum(j["non2xx"] + j["connect"] + j["read"] + j["write"] + j["timeout"] for j in u + q)
        print(f"| {n} | {p} | {med(rps):,.0f} ({rng(rps)}) | {med(rps) / ceiling:.2f} | "
              f"{med([j['p99'] for j in u]):.2f} | {med(p99q):.2f} ({min(p99q):.2f}-{max(p99q):.2f}) | {bad} |")
print()
print(f"wrk, {len(set(j['round'] for j in rows))} interleaved rounds; each run its own seconds; the load generator")
print("shares the cores with the server (and, on a shared machine, with other work).")
PY
