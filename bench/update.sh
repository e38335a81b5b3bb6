#!/usr/bin/env bash
# Benchmark for issue [2/7]: `vigia update` against Debian's curl fetching
# the same files in parallel, from a local nginx mirror with RIPE RIS's
# layout. The time of a real update is the network's; what Vigía adds is its
# own work (cache bookkeeping, SHA-256, the decompression check of every
# file, placing the files, the manifest). Target: ≤ 1.1× curl.
#
# A day's worth of one RIS collector, scaled down to keep the bench short:
# per collector one bview (40 MB) and 288 five-minute updates files
# (0.1–0.6 MB each, ~100 MB in all) -- the real mix is one big file and many
# small ones. The files are gzip'd random bytes: update checks that each
# decompresses, never parses MRT.
#
# Two network conditions: nginx's limit_rate per connection (default
# 8 MB/s, a good remote archive) and loopback unlimited (Vigía's overhead
# alone, the worst case for the ratio). Each with --jobs 1 and --jobs 8.
#
#   bench/update.sh [--collectors N] [--rate 8m] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
collectors=2
rate=8m
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --collectors) collectors="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "update.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
vigia=build/release/vigia
[ -x "$vigia" ] || { echo "update.sh: build first (scripts/setup.sh)" >&2; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "update.sh: nginx is missing" >&2; exit 2; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

date=2024-05-23
ymd=20240523
month=2024.05
echo "== building the mirror: $collectors collector(s), one day ($date)"
head -c $((48 << 20)) /dev/urandom >"$tmp/random"
for c in $(seq 0 $((collectors - 1))); do
  dir="$tmp/mirror/ris/$(printf 'rrc%02d' "$c")/$month"
  mkdir -p "$dir"
  dd if="$tmp/random" bs=1M count=40 status=none | gzip -1 >"$dir/bview.$ymd.0000.gz"
  for m in $(seq 0 5 1435); do
    hhmm=$(printf '%02d%02d' $((m / 60)) $((m % 60)))
    kib=$((100 + (m * 7919 + c * 104729) % 500))
    dd if="$tmp/random" bs=1024 skip=$((m * 4)) count="$kib" status=none | gzip -1 >"$dir/updates.$ymd.$hhmm.gz"
  done
done
echo "   $(find "$tmp/mirror" -type f | wc -l) files, $(du -sh "$tmp/mirror" | cut -f1)"
# Only the collectors the mirror has: RIS has ~25, and a 404 for each of the
# others' 289 files would be measured too.
only=$(cd "$tmp/mirror/ris" && ls | paste -sd,)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_nginx() {  # $1 = limit_rate ("0" = unlimited)
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  mkdir -p "$tmp/nginx/logs"
  cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    root $tmp/mirror;
    autoindex on;
    limit_rate $1;
  }
}
EOF
  "$nginx_bin" -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 50); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/ris/" && return 0
    sleep 0.1
  done
  echo "update.sh: nginx did not start" >&2
  exit 2
}

# The list of URLs, from a first update's manifest (the same list curl gets).
start_nginx 0
"$vigia" update --date "$date" --out "$tmp/snap0" --sources ris --collectors "ris=$only" --quiet \
  --mirror "ris=http://127.0.0.1:$port/ris" --cache "$tmp/cache0" --jobs 8 --per-host 8 >/dev/null || true
python3 - "$tmp/snap0/manifest.json" >"$tmp/urls" <<'EOF'
import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    if f.get("url"):
        print(f["url"])
EOF
nfiles=$(wc -l <"$tmp/urls")
[ "$nfiles" -gt 0 ] || { echo "update.sh: the first update fetched nothing" >&2; exit 1; }
echo "   vigia update plans $nfiles files"

# Best of $runs wall-clock seconds of a command (a fresh cache each run).
best() {
  local b=""
  for _ in $(seq "$runs"); do
    rm -rf "$tmp/out" "$tmp/cache" "$tmp/snap" "$tmp/snap.partial"
    mkdir -p "$tmp/out"
    # The last run's 279 MB are still being written back: without a sync
    # the next command (whichever) pays for them.
    sync
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    b=$(awk -v b="$b" -v t="$(awk -v s="$s" -v e="$e" 'BEGIN {print e - s}')" \
      'BEGIN {if (b == "" || t < b) print t; else print b}')
  done
  echo "$b"
}

curl_all() {  # $1 = parallel transfers
  local i=0
  : >"$tmp/curl.cfg"
  while read -r u; do
    i=$((i + 1))
    printf 'url = "%s"\noutput = "%s/out/%d"\n' "$u" "$tmp" "$i" >>"$tmp/curl.cfg"
  done <"$tmp/urls"
  curl -s -f --parallel --parallel-immediate --parallel-max "$1" -K "$tmp/curl.cfg"
}
vigia_all() {  # $1 = jobs
  "$vigia" update --date "$date" --out "$tmp/snap" --sources ris --collectors "ris=$only" --quiet \
    --mirror "ris=http://127.0.0.1:$port/ris" --cache "$tmp/cache" --jobs "$1" --per-host "$1"
}

printf '%-22s %6s %10s %10s %7s\n' "network" "jobs" "curl s" "vigia s" "ratio"
for r in "$rate" 0; do
  start_nginx "$r"
  label="limit_rate $r/conn"
  [ "$r" = 0 ] && label="loopback, unlimited"
  for j in 1 8; do
    c=$(best curl_all "$j")
    v=$(best vigia_all "$j")
    printf '%-22s %6s %10.2f %10.2f %6.2fx\n' "$label" "$j" "$c" "$v" "$(awk -v c="$c" -v v="$v" 'BEGIN {print v / c}')"
  done
done
echo "(best of $runs runs each; target: ratio ≤ 1.1 where the network dominates)"
