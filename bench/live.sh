#!/usr/bin/env bash
# Live collector speed, latency and memory (issue [5/7] item 5), with
# bench/live_replay.cc as the router side:
#  1. throughput: a simulated RIB (each peer's table transfer) plus the day's
#     update file, replayed as BGP UPDATEs over TCP sessions into
#     live::BgpSpeaker and as BMP Route Monitoring into bmp::BmpStation, into a
#     counting sink and into live::LiveDetector; prefix updates/s by wall
#     clock and per CPU second of the receiver thread (the machine is shared);
#  2. the same table transfer into BIRD 2 (Debian bird2, passive eBGP peers,
#     multihop, `import all`, next hops resolved through a static default in
#     a separate IGP table): time until `birdc show route count` has every
#     route; the ratio to Vigía's BGP speaker on the same byte stream;
#  3. latency at a paced 50,000 prefix updates/s with one hijack of a watched
#     prefix every 1,000 updates (and its end 500 later): UPDATE written ->
#     LiveEvent -> Alert -> QueuedChannel -> JSON-lines file written;
#  4. memory: the RIB fed straight into the LiveDetector, and into the
#     collector's RIB (collect::MrtArchive, nothing written), as 40, 200 and
#     1,000 peers (the file's peers repeated under new addresses, with the
#     same attributes); RSS growth per RIB entry.
# Runs are interleaved (vigia, BIRD, vigia, ...) and the medians printed.
#
#   bench/live.sh [RUNS]        (default 3; LIVE_SIM=DIR reuses a `vigia simulate`
#                                directory; VIGIA=path/to/vigia to skip its build;
#                                LIVE_MEMORY_PEERS="40 200 1000": rounded up to
#                                whole copies of the RIB's peers)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
mem_peers=${LIVE_MEMORY_PEERS:-40 200 1000}

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target live_replay >/dev/null
replay=$PWD/build/bench/bench/live_replay

tmp=$(mktemp -d)
bird_pid=
cleanup() {
  if [ -n "$bird_pid" ]; then kill "$bird_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

sim=${LIVE_SIM:-$tmp/sim}
if [ ! -f "$sim/manifest.json" ]; then
  if [ -z "${VIGIA:-}" ]; then
    cmake --build build/bench --target vigia >/dev/null
    VIGIA=build/bench/vigia
  fi
  echo "== vigia simulate --out $sim --ases 30000 --prefixes 300000 --peers 20 --collectors 1 --days 1"
  "$VIGIA" simulate --out "$sim" --ases 30000 --prefixes 300000 --peers 20 --collectors 1 --days 1 \
    >/dev/null
fi
rib=$(ls "$sim"/mrt/*.bview.*.gz | head -1)
upd=$(ls "$sim"/mrt/*.updates.*.gz | head -1)
echo "input: $rib + $upd"

features=$("$replay" --features)
have_station=0 have_detector=0 have_archive=0
case " $features " in *" bmp "*) have_station=1 ;; esac
case " $features " in *" detect "*) have_detector=1 ;; esac
case " $features " in *" archive "*) have_archive=1 ;; esac

# BIRD 2: one passive eBGP protocol per replayed session.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
have_bird=0
if [ -x /usr/sbin/bird ] && [ -x /usr/sbin/birdc ]; then
  have_bird=1
  "$replay" --no-updates --print-peers "$rib" >"$tmp/peers.txt" 2>/dev/null
  bird_routes=$(awk '{s += $3} END {print s}' "$tmp/peers.txt")
fi
start_bird() {  # PORT
  local p=$1
  {
    echo "router id 10.255.0.1;"
    echo "log \"$tmp/bird.log\" { warning, error, fatal };"
    echo "protocol device {}"
    echo "ipv4 table igp4; ipv6 table igp6;"
    echo "protocol static { ipv4 { table igp4; }; route 0.0.0.0/0 blackhole; }"
    echo "protocol static { ipv6 { table igp6; }; route ::/0 blackhole; }"
    local n=0 ip asn cnt
    while read -r ip asn cnt; do
      n=$((n + 1))
      echo "protocol bgp p$n { local 127.0.0.1 port $p as 64999; neighbor $ip as $asn; passive on;" \
        "multihop; hold time 240; ipv4 { import all; export none; igp table igp4; };" \
        "ipv6 { import all; export none; igp table igp6; }; }"
    done <"$tmp/peers.txt"
  } >"$tmp/bird.conf"
  /usr/sbin/bird -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
  bird_pid=$!
  for _ in $(seq 1 50); do [ -S "$tmp/bird.ctl" ] && break; sleep 0.1; done
}
stop_bird() {
  kill "$bird_pid" 2>/dev/null || true
  wait "$bird_pid" 2>/dev/null || true
  bird_pid=
  rm -f "$tmp/bird.ctl"
}

out=$tmp/results.jsonl
for r in $(seq 1 "$runs"); do
  echo "== run $r/$runs"
  for mode in bgp bmp; do
    [ "$mode" = bmp ] && [ "$have_station" = 0 ] && continue
    for sink in count detect; do
      [ "$sink" = detect ] && [ "$have_detector" = 0 ] && continue
      "$replay" --json --mode "$mode" --sink "$sink" --snapshot "$sim" "$rib" "$upd" 2>/dev/null |
        sed "s/^{/{\"case\":\"throughput $mode $sink\",/" | tee -a "$out" | cut -c1-160
    done
  done
  # Table transfer only: Vigía's speaker, then BIRD, on the same streams.
  "$replay" --json --no-updates "$rib" 2>/dev/null |
    sed 's/^{/{"case":"table vigia-bgp",/' | tee -a "$out" | cut -c1-160
  if [ "$have_bird" = 1 ]; then
    p=$(port)
    start_bird "$p"
    "$replay" --json --no-updates --target "127.0.0.1:$p" \
      --until-cmd "/usr/sbin/birdc -s $tmp/bird.ctl show route count | awk '/in table master/ {s += \$1} END {print s + 0}'" \
      --until-count "$bird_routes" "$rib" 2>/dev/null |
      sed 's/^{/{"case":"table bird",/' | tee -a "$out" | cut -c1-160
    grep VmHWM "/proc/$bird_pid/status" | awk '{print "{\"case\":\"bird rss\",\"rss_kb\":" $2 "}"}' >>"$out"
    stop_bird
  fi
  if [ "$have_detector" = 1 ]; then
    for mode in bgp bmp; do
      [ "$mode" = bmp ] && [ "$have_station" = 0 ] && continue
      "$replay" --json --mode "$mode" --sink detect --snapshot "$sim" --rate 50000 --hijack-every 1000 \
        --limit 1000000 --alerts "$tmp/alerts.jsonl" "$rib" "$upd" 2>/dev/null |
        sed "s/^{/{\"case\":\"latency $mode\",/" | tee -a "$out" | cut -c1-160
    done
  fi
done
for n in $mem_peers; do
  if [ "$have_detector" = 1 ]; then
    "$replay" --json --memory "$n" --sink detect --snapshot "$sim" "$rib" 2>/dev/null |
      sed 's/^{/{"case":"memory detect",/' | tee -a "$out"
  fi
  if [ "$have_archive" = 1 ]; then
    "$replay" --json --memory "$n" --sink archive "$rib" 2>/dev/null | grep '^{' |
      sed 's/^{/{"case":"memory archive",/' | tee -a "$out"
  fi
done

python3 - "$out" "$runs" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(case, key):
    v = [r[key] for r in rows if r.get("case") == case and key in r]
    return statistics.median(v) if v else None
print(f"\n== medians of {sys.argv[2]} interleaved runs")
print(f"{'case':<26}{'prefix upd':>12}{'wall s':>9}{'upd/s':>12}{'upd/CPU-s':>12}{'RSS MB':>8}")
for case in ["throughput bgp count", "throughput bmp count", "throughput bgp detect",
             "throughput bmp detect", "table vigia-bgp", "table bird"]:
    if med(case, "seconds") is None: continue
    n = next(r["prefix_updates"] for r in rows if r["case"] == case)
    cpu = med(case, "rate_per_cpu_second")
    rss = med("bird rss", "rss_kb") if case == "table bird" else med(case, "rss_kb")
    print(f"{case:<26}{n:>12,}{med(case,'seconds'):>9.2f}{med(case,'rate'):>12,.0f}"
          f"{(f'{cpu:,.0f}' if cpu else '-'):>12}{rss/1024:>8.0f}")
v, b = med("table vigia-bgp", "seconds"), med("table bird", "seconds")
if v and b:
    print(f"table transfer, same byte stream: BIRD 2 / Vigía BGP speaker time = {b / v:.1f}x "
          "(BIRD also selects best paths; Vigía only parses and counts)")
for case in ["latency bgp", "latency bmp"]:
    if med(case, "p50_ms") is None: continue
    print(f"{case}: paced {med(case,'paced_rate'):,.0f}/s, {med(case,'latency_n'):.0f} hijack alerts, "
          f"UPDATE written -> alert written p50 {med(case,'p50_ms'):.2f} ms, p99 {med(case,'p99_ms'):.2f} ms, "
          f"max {med(case,'max_ms'):.2f} ms" +
          (f"; arrival_ns -> alert (all events) p99 {med(case,'arrival_p99_ms'):.2f} ms"
           if med(case, "arrival_n") else ""))
for r in rows:
    if r.get("case") in ("memory detect", "memory archive"):
        who = "LiveDetector" if r["case"] == "memory detect" else "MrtArchive RIB"
        print(f"memory {who}: {r['peers']} peers x RIB = {r['entries']:,} entries: "
              f"+{(r['rss_after_kb'] - r['rss_before_kb']) / 1024:,.0f} MB, {r['bytes_per_entry']:.1f} bytes/entry")
EOF
