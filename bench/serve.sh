#!/usr/bin/env bash
# `vigia serve` under load (issue [5/5]; target p99 < 20 ms at 500 req/s):
# wrk (Debian) against GET /api/overview, GET /api/as/{ASN} with ASNs drawn
# at random from 10,000 spread over the whole ranking, and a mix of the two
# (20 % overview), each paced at RATE req/s for PACED_SECONDS and unpaced
# (saturation) for UNPACED_SECONDS, on a full-scale store: 75,000 ASes,
# 1,000,000 prefixes, 50 peers, simulated and analyzed as in
# bench/analyze.sh. Prints achieved req/s, the latency distribution, non-2xx
# answers, the server's own time and CPU per request, and whether p99 < 20 ms.
#
# Usage: bench/serve.sh [DIR | STORE.db]
#   DIR       keeps the store in DIR/vigia.db (and the snapshot in DIR/snap),
#             made on the first run and reused after; without an argument a
#             temporary one is made and deleted.
#   STORE.db  an existing store.
# Environment: VIGIA=path/to/vigia skips the build (build/bench otherwise);
#   RATE (500), CONNS (10), PACED_SECONDS (20), UNPACED_SECONDS (10),
#   WARMUP_SECONDS (5), WRK_THREADS (2), MIX (20, the overview share in %),
#   EXTRA_CONNS (64: one more paced mix run with that many connections; 0 = none).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${RATE:-500}
conns=${CONNS:-10}
paced=${PACED_SECONDS:-20}
unpaced=${UNPACED_SECONDS:-10}
warmup=${WARMUP_SECONDS:-5}
wthreads=${WRK_THREADS:-2}
mix=${MIX:-20}
extra_conns=${EXTRA_CONNS:-64}
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }
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
if [ -z "${VIGIA:-}" ]; then
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
  cmake --build build/bench --target vigia >/dev/null
fi
# A private copy: a rebuild during the run cannot swap the binary under it.
cp "${VIGIA:-build/bench/vigia}" "$tmp/vigia"
vigia=$tmp/vigia

arg=${1:-}
db=
if [ -n "$arg" ] && [ -f "$arg" ]; then
  db=$arg
else
  dir=${arg:-$tmp/full}
  db=$dir/vigia.db
  if [ ! -f "$db" ]; then
    mkdir -p "$dir"
    if [ ! -f "$dir/snap/manifest.json" ]; then
      echo "== simulating the full-scale snapshot into $dir/snap"
      rm -rf "$dir/snap"
      "$vigia" simulate --ases 75000 --prefixes 1000000 --peers 50 --out "$dir/snap.part" >/dev/null
      mv "$dir/snap.part" "$dir/snap"
    fi
    echo "== vigia analyze into $db"
    rm -f "$dir/vigia.part.db" "$dir/vigia.part.db-wal" "$dir/vigia.part.db-shm"
    "$vigia" analyze --db "sqlite:$dir/vigia.part.db" "$dir/snap" >/dev/null
    mv "$dir/vigia.part.db" "$db"
  fi
fi

echo "== machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(
  awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "   wrk ($wthreads threads) and the server share these cores: every figure below is taken"
echo "   with the load generator competing with the server for CPU."
read -r load1 _ </proc/loadavg
echo "   load average before the runs: $load1$(awk -v l="$load1" 'BEGIN { if (l > 0.5) print " (not idle: other work skews the figures)" }')"
echo "== store $db ($(du -m "$db" | cut -f1) MB)"
cat "$db" >/dev/null  # the page cache, as on a server that has been up a while

"$vigia" serve --db "sqlite:$db" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.err" &
server=$!
for _ in $(seq 300); do
  grep -q '^vigia: serving' "$tmp/serve.out" && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.err" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^vigia: serving //p' "$tmp/serve.out")
[ -n "$url" ] || { echo "bench/serve.sh: the server did not start" >&2; exit 1; }
echo "== $url (pid $server, cpp-httplib $(pkg-config --modversion cpp-httplib 2>/dev/null || echo '?'))"

# 10,000 ASNs from ten pages spread over the ranking (best to worst).
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
    offset += 7500
open(out, "w").write("\n".join(ids) + "\n")
print(f"   {len(ids):,} ASNs for /api/as/ (ranking pages 1,000 long, 7,500 apart)")
PY

# CPU ticks (user + system) of the server so far.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
metrics() { python3 -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen('$url/metrics').read().decode())"; }

# run NAME MODE SECONDS RATE CONNS: one wrk run; its result line goes to $tmp/results.
run() {
  local name=$1 mode=$2 secs=$3 r=$4 c=$5
  metrics >"$tmp/m0"
  local t0
  t0=$(server_ticks)
  SERVE_MODE=$mode SERVE_ASNS=$tmp/asns.txt SERVE_RATE=$r SERVE_WRK_THREADS=$wthreads \
    wrk -t"$wthreads" -c"$c" -d"${secs}s" --timeout 5s --latency -s bench/serve.lua "$url" >"$tmp/wrk.out"
  local t1
  t1=$(server_ticks)
  metrics >"$tmp/m1"
  python3 - "$name" "$r" "$c" "$((t1 - t0))" "$(getconf CLK_TCK)" "$tmp/m0" "$tmp/m1" "$tmp/wrk.out" \
    "$tmp/results" <<'PY'
import json, re, sys
name, rate, conns, ticks, hz, m0, m1, out, results = sys.argv[1:]
def parse(path):
    count, secs = {}, {}
    for line in open(path):
        m = re.match(r'vigia_http_requests_total\{route="(\w+)",status="(\d+)"\} (\d+)', line)
        if m:
            count[m[1]] = count.get(m[1], 0) + int(m[3])
        m = re.match(r'vigia_http_request_seconds_sum\{route="(\w+)"\} ([\d.]+)', line)
        if m:
            secs[m[1]] = float(m[2])
    return count, secs
(c0, s0), (c1, s1) = parse(m0), parse(m1)
n = sum(c1.get(k, 0) - c0.get(k, 0) for k in c1)
busy = sum(s1.get(k, 0) - s0.get(k, 0) for k in s1)
per_route = {k: 1000 * (s1.get(k, 0) - s0.get(k, 0)) / (c1[k] - c0.get(k, 0))
             for k in c1 if c1[k] > c0.get(k, 0)}
j = json.loads(re.search(r"SERVE_RESULT (\{.*\})", open(out).read())[1])
j.update(name=name, rate=int(rate), conns=int(conns), server_requests=n, per_route=per_route,
         server_ms=1000 * busy / n if n else 0, cpu_ms=1000 * int(ticks) / int(hz) / n if n else 0)
with open(results, "a") as f:
    f.write(json.dumps(j) + "\n")
print(f"   {name:<26} {j['rps']:8.1f} req/s  p50 {j['p50']:8.2f}  p99 {j['p99']:8.2f} ms")
PY
}

echo "== warm-up: ${warmup} s unpaced mix"
run warmup "mix:$mix" "$warmup" 0 "$conns" && : >"$tmp/results"

echo "== runs: $conns connections, $wthreads wrk threads; paced at $rate req/s for $paced s, unpaced for $unpaced s"
for m in overview as "mix:$mix"; do
  run "$m, $rate/s" "$m" "$paced" "$rate" "$conns"
done
for m in overview as "mix:$mix"; do
  run "$m, unpaced" "$m" "$unpaced" 0 "$conns"
done
if [ "$extra_conns" -gt 0 ]; then
  run "mix:$mix, $rate/s, ${extra_conns}c" "mix:$mix" "$paced" "$rate" "$extra_conns"
fi

kill -TERM "$server"
stopped=ok
for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server" 2>/dev/null; then
  stopped="still running 10 s after SIGTERM, killed"
  kill -KILL "$server"
fi
wait "$server" 2>/dev/null || [ "$stopped" != ok ] || stopped="exit status $?"
server=

python3 - "$tmp/results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print()
print("| run | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | server ms/req | server CPU ms/req | p99 < 20 ms |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for j in rows:
    errors = j["connect"] + j["read"] + j["write"] + j["timeout"]
    verdict = ("**yes**" if j["p99"] < 20 else "**no**") if j["rate"] else "(saturation)"
    server = (f"{j['server_ms']:.2f}" if len(j["per_route"]) < 2 else
              ", ".join(f"{k} {v:.2f}" for k, v in sorted(j["per_route"].items())))
    print(f"| {j['name']} | {j['conns']} | {j['rps']:,.0f} | {j['p50']:.2f} | {j['p90']:.2f} | {j['p99']:.2f} | "
          f"{j['max']:.1f} | {j['non2xx']} | {errors} | {server} | {j['cpu_ms']:.2f} | {verdict} |")
print()
print("req/s is what wrk achieved; latency is wrk's (request written to response read, 2 wrk threads,")
print("no coordinated-omission correction). 'server ms/req' is the handler time from /metrics per")
print("route (overview; report = /api/as/), which includes waiting for the store mutex;")
print("'server CPU ms/req' is the server's user + system CPU over the run per request.")
print("wrk and the server share the machine's cores.")
PY
echo "== SIGTERM: server stopped ($stopped)"
