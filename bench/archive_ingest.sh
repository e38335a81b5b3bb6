#!/usr/bin/env bash
# The route archive's ingest rate and size on disk (issue 18 items 4 and 6;
# docs/archive.md): simulates a snapshot, runs `vigia analyze --archive`
# into a clickhouse-server this script starts (Debian's 18.16, on free
# loopback ports, its data in the scratch directory), and reports
#
#   - rows written (archive_routes + archive_origins) and the ingest rate:
#     rows / (marker's committed - started), i.e. from the first Add() to
#     the commit marker, building the rows from ObservedRoutes included;
#   - analyze's wall time and peak RSS with the archive;
#   - bytes on disk per day (system.parts, active parts, bytes_on_disk) per
#     table, and per route row;
#   - the same written a second time (the day replaced): rate again, and
#     the rows readers see (not doubled);
#   - an EXTRAPOLATION (not a measurement) to 1,000 peers x 1.2 M prefixes,
#     linear in peers x prefixes at the measured bytes per row and rate.
#
#   bench/archive_ingest.sh [PEERS PREFIXES ASES]    default 50 1200000 75000
#
# Env: VIGIA (binary; default build/release/vigia), OUT (scratch directory;
# default a temp dir, removed at the end unless KEEP=1), COLLECTORS
# (default 4). Runs under nice. Needs /usr/sbin/clickhouse-server.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${1:-50}
prefixes=${2:-1200000}
ases=${3:-75000}
vigia=${VIGIA:-build/release/vigia}
collectors=${COLLECTORS:-4}
out=${OUT:-$(mktemp -d /tmp/vigia_archive_bench.XXXXXX)}
mkdir -p "$out"
[ -x /usr/sbin/clickhouse-server ] || { echo "no /usr/sbin/clickhouse-server" >&2; exit 77; }

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http=$(port); tcp=$(port)
ch="$out/clickhouse"
mkdir -p "$ch"
cat > "$ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch/server.log</log><errorlog>$ch/error.log</errorlog><console>0</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$ch/data/</path>
  <tmp_path>$ch/tmp/</tmp_path>
  <user_files_path>$ch/user_files/</user_files_path>
  <format_schema_path>$ch/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>$ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
</yandex>
EOF
cat > "$ch/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
nice /usr/sbin/clickhouse-server --config-file="$ch/config.xml" > "$ch/stdout.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$out"
}
trap cleanup EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$http/ping" >/dev/null 2>&1 && break
  sleep 0.2
done
q() { curl -sf "http://127.0.0.1:$http/" --data-binary "$1"; }

echo "# archive_ingest: $peers peers x $prefixes prefixes x $ases ASes, $collectors collectors, $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
snap="$out/snap"
/usr/bin/time -f "%e %M" -o "$out/sim.time" nice "$vigia" simulate --out "$snap" --days 1 \
  --peers "$peers" --prefixes "$prefixes" --ases "$ases" --collectors "$collectors" \
  --gzip-level 1 --threads 2 > /dev/null
read -r sim_s sim_kb < "$out/sim.time"
echo "simulate: ${sim_s} s, peak RSS $((sim_kb / 1024)) MiB"

url="clickhouse://127.0.0.1:$http/bench"
for run in 1 2; do
  /usr/bin/time -f "%e %M" -o "$out/an.time" nice "$vigia" analyze --json --threads 2 \
    --db "sqlite:$out/vigia$run.db" --archive "$url" "$snap" > "$out/analyze$run.json" || true
  read -r an_s an_kb < "$out/an.time"
  # The newest committed load: what it holds and how long it took.
  read -r routes origins started committed < <(q "SELECT routes, origins, started, committed FROM bench.archive_loads ORDER BY committed DESC LIMIT 1 FORMAT TabSeparated")
  secs=$(python3 -c "print(f'{($committed - $started) / 1e9:.1f}')")
  rate=$(python3 -c "print(f'{($routes + $origins) / (($committed - $started) / 1e9):,.0f}')")
  echo "run $run: analyze --archive ${an_s} s, peak RSS $((an_kb / 1024)) MiB; archive ${secs} s for ${routes} route rows + ${origins} origin rows: ${rate} rows/s"
done
visible=$(q "SELECT count() FROM bench.archive_routes WHERE load IN (SELECT argMax(load, committed) FROM bench.archive_loads GROUP BY day) FORMAT TabSeparated")
echo "rows readers see after two writes of the day: $visible (one load's: $routes)"

# Size on disk: the superseded load is still there (deleted ten minutes
# after it was superseded), so per day is half the total of the two loads.
q "OPTIMIZE TABLE bench.archive_routes FINAL" > /dev/null || true
q "OPTIMIZE TABLE bench.archive_origins FINAL" > /dev/null || true
echo "on disk (active parts, 2 loads of the day), per table:"
q "SELECT table, sum(rows), sum(bytes_on_disk), sum(data_uncompressed_bytes), count() FROM system.parts WHERE database = 'bench' AND active GROUP BY table ORDER BY table FORMAT TabSeparated" |
  while IFS=$'\t' read -r t r b u n; do
    python3 -c "print(f'  {\"$t\":16} {$r:>12,} rows {$b/2**20:10.1f} MiB on disk ({$b/max($r,1):.1f} B/row; {$u/2**20:.1f} MiB uncompressed), {$n} parts')"
  done
read -r rb ob < <(q "SELECT sumIf(bytes_on_disk, table = 'archive_routes'), sumIf(bytes_on_disk, table = 'archive_origins') FROM system.parts WHERE database = 'bench' AND active FORMAT TabSeparated")
python3 - "$peers" "$prefixes" "$routes" "$origins" "$rb" "$ob" "$committed" "$started" <<'EOF'
import sys
peers, prefixes, routes, origins, rb, ob, committed, started = map(int, sys.argv[1:])
day = (rb + ob) / 2  # two loads on disk
secs = (committed - started) / 1e9
rate = (routes + origins) / secs
print(f"per day (measured): {day / 2**20:.1f} MiB on disk, {routes:,} route rows "
      f"({rb / 2 / routes:.1f} B/row), {origins:,} origin rows")
scale = (1000 / peers) * (1.2e6 / prefixes)
r_full = routes * scale
o_full = origins * (1.2e6 / prefixes)  # (prefix, origin) rows do not grow with peers
d_full = rb / 2 / routes * r_full + ob / 2 / origins * o_full
print(f"EXTRAPOLATION (not measured) to 1,000 peers x 1.2 M prefixes, linear in "
      f"peers x prefixes from this run: {r_full / 1e6:,.0f} M route rows/day, "
      f"{d_full / 2**30:.1f} GiB on disk per day ({d_full * 365 / 2**40:.1f} TiB a year), "
      f"{(r_full + o_full) / rate / 60:.0f} min to ingest at {rate:,.0f} rows/s on one server")
EOF
