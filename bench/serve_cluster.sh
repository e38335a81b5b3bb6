#!/usr/bin/env bash
# `vigia serve` from a ClickHouse cluster against SQLite, side by side
# (issue [6/7] item 3: the wrk target, p99 < 20 ms at 500 req/s on the AS
# page and the overview, holds on the cluster at full-scale data).
#
# Simulates a full-size snapshot (kept in SCRATCH and reused), analyzes it
# into SQLite (kept) and into a fresh 2 shards x 2 replicas cluster
# (bench/clickhouse_cluster.sh: ZooKeeper + four clickhouse-servers on
# loopback, killed on exit) through node 0, serves the cluster through
# node 1, and compares the two stores' answers (the overview and 50 AS
# pages, byte for byte but the snapshot's `created`). Then, in ROUNDS
# interleaved rounds (SQLite, cluster, SQLite, cluster, ...), wrk (Debian's,
# with bench/serve.lua) measures per store:
#   as-cold      /api/as/ASN, every ASN once (the first request of each
#                URL: answer cache empty), paced at RATE and unpaced (another
#                list of ASNs), on a server just started
#   as-warm      /api/as/ASN of ASNs already asked (answer cache hits)
#   overview     /api/overview (built once per snapshot, then kept)
#   as-nocache   --cache-mb 0: every AS page computed, random ASNs
#   overview-nocache
# each paced at RATE req/s (p50, p99) and unpaced (max req/s, p99), and the
# median over the rounds, with the ratio cluster / SQLite. Last, one
# cluster server with --cache-mb 0 answers PROFILE_PAGES AS pages one at a
# time, and ClickHouse's system.query_log on the serving node says how
# many queries (round trips) each page made and how long they took there.
#
# Usage: bench/serve_cluster.sh [VIGIA]      (default build/release/vigia)
# Env: SCRATCH (/tmp/vigia-serve-cluster: snapshot and SQLite store, reused),
#   PREFIXES (1200000), ASES (75000), PEERS (50), ROUNDS (3), SECS (5),
#   RATE (500), CONNS (10), WRK_THREADS (2), PROFILE_PAGES (200).
# The load generator, the four servers, ZooKeeper and vigia serve share the
# machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
vigia=$(realpath "${1:-build/release/vigia}")
scratch=${SCRATCH:-/tmp/vigia-serve-cluster}
prefixes=${PREFIXES:-1200000}
ases=${ASES:-75000}
peers=${PEERS:-50}
rounds=${ROUNDS:-3}
secs=${SECS:-5}
rate=${RATE:-500}
conns=${CONNS:-10}
wthreads=${WRK_THREADS:-2}
profile_pages=${PROFILE_PAGES:-200}
command -v wrk >/dev/null || { echo "bench/serve_cluster.sh: wrk not found" >&2; exit 1; }
mkdir -p "$scratch"
tmp=$(mktemp -d)
cluster=$tmp/cluster
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  bench/clickhouse_cluster.sh stop "$cluster" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cp "$vigia" "$tmp/vigia" # a rebuild cannot swap it mid-run
vigia=$tmp/vigia
snap=$scratch/snap-$peers-$prefixes-$ases
sqlite=$scratch/vigia-$peers-$prefixes-$ases.db
echo "== $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== size: --prefixes $prefixes --ases $ases --peers $peers"
if [ ! -d "$snap" ]; then
  /usr/bin/time -f "%e s, peak RSS %M KB" -o "$tmp/t" \
    nice "$vigia" simulate --ases "$ases" --prefixes "$prefixes" --peers "$peers" --out "$snap.part" >/dev/null
  mv "$snap.part" "$snap"
  echo "   simulate: $(cat "$tmp/t")"
fi
if [ ! -f "$sqlite" ]; then
  rm -f "$sqlite.part"
  /usr/bin/time -f "%e s, peak RSS %M KB" -o "$tmp/t" \
    nice "$vigia" analyze --db "sqlite:$sqlite.part" "$snap" >/dev/null
  mv "$sqlite.part" "$sqlite"
  echo "   analyze into SQLite: $(cat "$tmp/t") ($(du -m "$sqlite" | cut -f1) MB)"
fi

bench/clickhouse_cluster.sh start "$cluster" >/dev/null
write_url=$(bench/clickhouse_cluster.sh url "$cluster" 0 vigia)
read_url=$(bench/clickhouse_cluster.sh url "$cluster" 1 vigia)
read_port=$(sed -n 2p "$cluster/ports")
chq() { curl -sS "http://127.0.0.1:$read_port/" --data-binary "$1"; }
/usr/bin/time -f "%e s, peak RSS %M KB" -o "$tmp/t" \
  nice "$vigia" analyze --db "$write_url" "$snap" >/dev/null
echo "   analyze into the cluster (through node 0): $(cat "$tmp/t")"
echo "   cluster rows per table (through node 1): $(
  for t in incidents metrics scores entities origins routes_seen route_refs; do
    printf '%s %s  ' "$t" "$(chq "SELECT count() FROM vigia.$t")"
  done)"
echo "   cluster bytes on disk (compressed, both replicas of both shards): $(
  du -sb "$cluster"/node*/data/data/vigia 2>/dev/null | awk '{s += $1} END {printf "%.0f MB", s / 1e6}')"

urls=("sqlite=sqlite:$sqlite" "cluster=$read_url")
start() { # start URL [ARGS...]
  local url=$1
  shift
  "$vigia" serve --db "$url" --listen 127.0.0.1:0 --no-access-log "$@" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server=$!
  for _ in $(seq 600); do
    grep -q '^vigia: serving' "$tmp/serve.out" && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  base=$(sed -n 's/^vigia: serving //p' "$tmp/serve.out")
}
stop() {
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=
}

# The ASN lists: from the SQLite store's ranking (the same snapshot).
start "sqlite:$sqlite"
python3 - "$base" "$tmp" <<'PY'
import json, random, sys, urllib.request
base, tmp = sys.argv[1], sys.argv[2]
ids, offset = [], 0
while True:
    with urllib.request.urlopen(f"{base}/api/ranking?kind=as&limit=1000&offset={offset}") as r:
        page = [e["id"] for e in json.load(r)["entities"]]
    if not page:
        break
    ids += page
    offset += 1000
random.Random(1).shuffle(ids)
# paced cold runs use list a, unpaced cold runs list b (never repeated
# within a run on a fresh server), warm and no-cache runs list a's first 2,000
a, b = ids[:10000], ids[10000:]
open(f"{tmp}/asns.a", "w").write("\n".join(a) + "\n")
open(f"{tmp}/asns.b", "w").write("\n".join(b) + "\n")
open(f"{tmp}/asns.warm", "w").write("\n".join(a[:2000]) + "\n")
print(f"   {len(ids):,} ASNs in the ranking: {len(a):,} for paced cold runs, {len(b):,} for unpaced")
PY
stop

# Same answers from both stores (the snapshot's `created` is each store's).
for n in sqlite cluster; do
  u=sqlite:$sqlite
  [ "$n" = cluster ] && u=$read_url
  start "$u"
  mkdir -p "$tmp/ans.$n"
  curl -sS "$base/api/overview" >"$tmp/ans.$n/overview"
  head -50 "$tmp/asns.a" | while read -r a; do curl -sS "$base/api/as/$a" >"$tmp/ans.$n/as$a"; done
  stop
done
python3 - "$tmp/ans.sqlite" "$tmp/ans.cluster" <<'PY'
import os, re, sys
a, b = sys.argv[1], sys.argv[2]
same = diff = 0
for f in sorted(os.listdir(a)):
    x = re.sub(rb'"created":"[^"]*"', b'', open(os.path.join(a, f), "rb").read())
    y = re.sub(rb'"created":"[^"]*"', b'', open(os.path.join(b, f), "rb").read())
    if x == y:
        same += 1
    else:
        diff += 1
        print(f"   DIFFERENT: {f}")
print(f"   answers compared, SQLite vs cluster: {same} identical, {diff} different (overview + 50 AS pages)")
PY

# one NAME STORE RUN MODE ASNS RATE ROUND
one() {
  SERVE_MODE=$4 SERVE_ASNS=$5 SERVE_RATE=$6 SERVE_WRK_THREADS=$wthreads \
    wrk -t"$wthreads" -c"$conns" -d"${secs}s" --timeout 5s --latency -s bench/serve.lua "$base" >"$tmp/wrk.out"
  python3 - "$1" "$2" "$3" "$6" "$7" "$tmp/wrk.out" >>"$tmp/results" <<'PY'
import json, re, sys
name, store, run, rate, rnd, out = sys.argv[1:]
j = json.loads(re.search(r"SERVE_RESULT (\{.*\})", open(out).read())[1])
j.update(name=name, store=store, run=run, rate=int(rate), round=int(rnd))
print(json.dumps(j))
PY
}
cold_overview() { # STORE ROUND: the first overview of a fresh server, alone
  python3 - "$base" "$1" "$2" >>"$tmp/first" <<'PY'
import json, sys, time, urllib.request
base, store, rnd = sys.argv[1:]
t = time.monotonic()
urllib.request.urlopen(f"{base}/api/overview").read()
print(json.dumps({"store": store, "round": int(rnd), "ms": (time.monotonic() - t) * 1000}))
PY
}

for r in $(seq "$rounds"); do
  for su in "${urls[@]}"; do
    s=${su%%=*}
    u=${su#*=}
    start "$u"
    cold_overview "$s" "$r"
    one as-cold "$s" paced asseq "$tmp/asns.a" "$rate" "$r"
    one as-cold "$s" unpaced asseq "$tmp/asns.b" 0 "$r"
    one as-warm "$s" paced as "$tmp/asns.warm" "$rate" "$r"
    one as-warm "$s" unpaced as "$tmp/asns.warm" 0 "$r"
    one overview "$s" paced overview "$tmp/asns.a" "$rate" "$r"
    one overview "$s" unpaced overview "$tmp/asns.a" 0 "$r"
    stop
    start "$u" --cache-mb 0
    one as-nocache "$s" paced as "$tmp/asns.a" "$rate" "$r"
    one as-nocache "$s" unpaced as "$tmp/asns.a" 0 "$r"
    one overview-nocache "$s" paced overview "$tmp/asns.a" "$rate" "$r"
    one overview-nocache "$s" unpaced overview "$tmp/asns.a" 0 "$r"
    stop
    echo "   round $r: $s done (load average $(cut -d' ' -f1 /proc/loadavg))"
  done
done

# Round trips per AS page, from the serving node's query log.
start "$read_url" --cache-mb 0
curl -sS "$base/api/overview" >/dev/null
chq "SYSTEM FLUSH LOGS" >/dev/null
t0=$(chq "SELECT max(event_time) FROM system.query_log")
sleep 1
t_start=$(date +%s.%N)
tail -n "$profile_pages" "$tmp/asns.a" | while read -r a; do curl -sS -o /dev/null "$base/api/as/$a"; done
t_end=$(date +%s.%N)
stop
sleep 1.5
chq "SYSTEM FLUSH LOGS" >/dev/null
echo
echo "Profile: $profile_pages AS pages one at a time through node 1, --cache-mb 0," \
  "$(python3 -c "print(f'{($t_end - $t_start) / $profile_pages * 1000:.1f}')") ms a page (curl included)"
chq "SELECT count() / $profile_pages AS queries_per_page, round(avg(query_duration_ms), 2) AS avg_ms,
  quantile(0.99)(query_duration_ms) AS p99_ms, max(query_duration_ms) AS max_ms
  FROM system.query_log WHERE type = 2 AND is_initial_query AND event_time > toDateTime('$t0')
  AND query NOT LIKE 'SYSTEM%' AND query NOT LIKE '%system.query_log%' FORMAT PrettyCompactNoEscapes"
chq "SELECT substring(replaceRegexpAll(query, '[0-9]+', 'N'), 1, 90) AS query_start, count() AS n,
  round(avg(query_duration_ms), 2) AS avg_ms, round(avg(read_rows)) AS rows_read
  FROM system.query_log WHERE type = 2 AND is_initial_query AND event_time > toDateTime('$t0')
  AND query NOT LIKE 'SYSTEM%' AND query NOT LIKE '%system.query_log%'
  GROUP BY query_start ORDER BY n DESC LIMIT 12 FORMAT PrettyCompactNoEscapes"

python3 - "$tmp/results" "$tmp/first" "$rate" <<'PY'
import json, statistics, sys
path, first, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(path)]
firsts = [json.loads(l) for l in open(first)]
def med(xs):
    return statistics.median(xs) if xs else float("nan")
def pick(name, store, run):
    return [j for j in rows if j["name"] == name and j["store"] == store and j["run"] == run]
names = ["as-cold", "as-warm", "overview", "as-nocache", "overview-nocache"]
print()
print(f"| page | store | paced {rate}/s: req/s | p50 ms | p99 ms (range) | unpaced: req/s (range) | p99 ms | errors+non-2xx |")
print("|---|---|---|---|---|---|---|---|")
for n in names:
    for s in ["sqlite", "cluster"]:
        p, u = pick(n, s, "paced"), pick(n, s, "unpaced")
        bad = sum(j["non2xx"] + j["connect"] + j["read"] + j["write"] + j["timeout"] for j in p + u)
        p99 = [j["p99"] for j in p]
        rps = [j["rps"] for j in u]
        print(f"| {n} | {s} | {med([j['rps'] for j in p]):,.0f} | {med([j['p50'] for j in p]):.2f} | "
              f"{med(p99):.2f} ({min(p99):.2f}-{max(p99):.2f}) | {med(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f}) | "
              f"{med([j['p99'] for j in u]):.2f} | {bad} |")
print()
print("| page | paced p99 cluster/SQLite | unpaced req/s cluster/SQLite | target p99 < 20 ms at 500/s on the cluster |")
print("|---|---|---|---|")
for n in names:
    cp, sp = med([j["p99"] for j in pick(n, "cluster", "paced")]), med([j["p99"] for j in pick(n, "sqlite", "paced")])
    cu, su = med([j["rps"] for j in pick(n, "cluster", "unpaced")]), med([j["rps"] for j in pick(n, "sqlite", "unpaced")])
    worst = max([j["p99"] for j in pick(n, "cluster", "paced")] or [float("nan")])
    ok = "yes" if worst < 20 else "no"
    print(f"| {n} | {cp / sp:.2f} | {cu / su:.2f} | {ok} (worst round {worst:.2f} ms) |")
print()
for s in ["sqlite", "cluster"]:
    ms = [j["ms"] for j in firsts if j["store"] == s]
    print(f"first /api/overview of a fresh server, {s}: median {med(ms):,.0f} ms ({min(ms):,.0f}-{max(ms):,.0f})")
print(f"wrk, {len(set(j['round'] for j in rows))} interleaved rounds, {rows[0]['seconds']:.0f} s a run; "
      "the load generator and the cluster share the cores with the server.")
PY
echo "== done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
