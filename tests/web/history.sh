#!/usr/bin/env bash
# The dashboard's routing-history page (issue 18 item 4): tests/web/history.sh VIGIA_BINARY WORKDIR
# Starts a clickhouse-server (Debian's 18.16) on free loopback ports, analyses the browser tests'
# small simulated snapshot with --archive into it, serves the store and the archive with the built
# app, and runs history.test.mjs in headless Chromium: a prefix's origins and paths and an AS's
# prefixes as the page shows them against /api/history/*, in English and Spanish.
# Exit: 0 all passed, 1 a failure, 77 skipped (no Chromium, node, web/node_modules, web/dist or
# clickhouse-server).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
vigia="${1:?usage: history.sh VIGIA_BINARY WORKDIR}"
work="${2:?usage: history.sh VIGIA_BINARY WORKDIR}"

. "$here/lib.sh"
[ -x /usr/sbin/clickhouse-server ] || skip "/usr/sbin/clickhouse-server is missing (scripts/setup.sh)"
begin_browser_test

port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
http="$(port)" tcp="$(port)"
ch="$work/clickhouse"
mkdir -p "$ch"
cat >"$ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch/server.log</log><errorlog>$ch/error.log</errorlog><console>0</console></logger>
  <http_port>$http</http_port><tcp_port>$tcp</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$ch/data/</path><tmp_path>$ch/tmp/</tmp_path><user_files_path>$ch/user_files/</user_files_path>
  <format_schema_path>$ch/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size><uncompressed_cache_size>33554432</uncompressed_cache_size>
  <users_config>$ch/users.xml</users_config><default_profile>default</default_profile>
  <default_database>default</default_database><timezone>UTC</timezone>
</yandex>
EOF
cat >"$ch/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
/usr/sbin/clickhouse-server --config-file="$ch/config.xml" >"$ch/stdout.log" 2>&1 &
ch_pid=$!
stop_all() {
  stop_server
  kill "$ch_pid" 2>/dev/null && wait "$ch_pid" 2>/dev/null
}
trap stop_all EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$http/ping" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$http/ping" >/dev/null || { echo "FAIL: clickhouse-server did not start (see $ch)"; exit 1; }
archive="clickhouse://127.0.0.1:$http/history"

"$vigia" simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out "$work/snap" >>"$work/simulate.log" 2>&1 \
  || { echo "FAIL: vigia simulate (see $work/simulate.log)"; exit 1; }
"$vigia" analyze --db "sqlite:$work/vigia.db" --archive "$archive" "$work/snap" >>"$work/analyze.log" 2>&1 \
  || { echo "FAIL: vigia analyze --archive (see $work/analyze.log)"; exit 1; }
# The prefix with the most origins (a hijacked one) and the AS with the most prefixes.
q() { curl -sf "http://127.0.0.1:$http/" --data-binary "$1"; }
prefix="$(q "SELECT prefix FROM history.archive_origins GROUP BY prefix ORDER BY count() DESC, prefix LIMIT 1 FORMAT TabSeparated")"
asn="$(q "SELECT origin FROM history.archive_origins WHERE origin != 0 GROUP BY origin ORDER BY count() DESC, origin LIMIT 1 FORMAT TabSeparated")"
[ -n "$prefix" ] && [ -n "$asn" ] || { echo "FAIL: the archive is empty"; exit 1; }

start_server "$work/vigia.db" --archive "$archive" || exit 1
echo "serving $server_url; prefix $prefix, AS$asn"
node "$here/history.test.mjs" "$server_url" "$work" "$prefix" "$asn"
rc=$?
stop_all
trap - EXIT
echo "screenshots: $work/screenshots"
exit $rc
