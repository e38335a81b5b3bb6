#!/usr/bin/env bash
# A ClickHouse cluster of 2 shards x 2 replicas on loopback for benchmarks
# (issue [6/7] item 3): one ZooKeeper (Debian's zookeeper, java) and four
# clickhouse-servers (Debian's clickhouse-server), configured as the
# ClickHouseCluster test configures them (src/store/test_clickhouse.h):
# node i (0..3) is replica i % 2 + 1 of shard i / 2 + 1 of the cluster
# "vigia", ports chosen free, config and data in DIR.
#
# Usage:
#   bench/clickhouse_cluster.sh start DIR   starts it; prints the HTTP port of each node,
#                                           one a line, and writes them to DIR/ports
#   bench/clickhouse_cluster.sh stop DIR    kills every process it started (DIR/*.pid)
#   bench/clickhouse_cluster.sh url DIR [NODE] [DB]
#                                           clickhouse://127.0.0.1:PORT/DB?cluster=vigia
# A store URL through node i: clickhouse://127.0.0.1:$(sed -n "$((i+1))p" DIR/ports)/DB?cluster=vigia
# Environment: CH_MARK_CACHE_MB (256), CH_UNCOMPRESSED_CACHE_MB (256),
#   CH_MAX_THREADS (2), ZK_HEAP (256m).
set -euo pipefail
server=/usr/sbin/clickhouse-server
zk=/usr/share/zookeeper/bin/zkServer.sh
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n 2,17p "$0"; exit 2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

stop() {
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    # each was started with setsid: its process group is its pid
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local secs=$1 what=$2
  shift 2
  for _ in $(seq $((secs * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "bench/clickhouse_cluster.sh: $what did not come up within ${secs} s (see $dir)" >&2
  return 1
}

case "$cmd" in
  stop)
    stop
    exit 0
    ;;
  url)
    node=${3:-0}
    db=${4:-vigia}
    echo "clickhouse://127.0.0.1:$(sed -n "$((node + 1))p" "$dir/ports")/$db?cluster=vigia"
    exit 0
    ;;
  start) ;;
  *)
    sed -n 2,17p "$0"
    exit 2
    ;;
esac

[ -x "$server" ] && [ -x "$zk" ] || {
  echo "bench/clickhouse_cluster.sh: needs $server and $zk (scripts/setup.sh)" >&2
  exit 1
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
zk_port=$(free_port)
mkdir -p "$dir/zk"
cat >"$dir/zk/zoo.cfg" <<EOF
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/zk/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
EOF
ZOO_LOG_DIR=$dir/zk JVMFLAGS="-Xmx${ZK_HEAP:-256m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
  setsid "$zk" start-foreground "$dir/zk/zoo.cfg" >"$dir/zk/out.log" 2>&1 &
echo $! >"$dir/zk.pid"
ruok() { [ "$(exec 3<>/dev/tcp/127.0.0.1/"$zk_port" && printf ruok >&3 && head -c4 <&3)" = imok ]; }
wait_for 60 ZooKeeper ruok || { stop; exit 1; }

declare -a http tcp inter
for i in 0 1 2 3; do
  http[$i]=$(free_port)
  tcp[$i]=$(free_port)
  inter[$i]=$(free_port)
done
shards=
for s in 0 1; do
  shards+="<shard><internal_replication>true</internal_replication>"
  for r in 0 1; do
    shards+="<replica><host>127.0.0.1</host><port>${tcp[$((2 * s + r))]}</port></replica>"
  done
  shards+="</shard>"
done
mark=$((${CH_MARK_CACHE_MB:-256} << 20))
uncompressed=$((${CH_UNCOMPRESSED_CACHE_MB:-256} << 20))
: >"$dir/ports"
for i in 0 1 2 3; do
  d=$dir/node$i
  mkdir -p "$d"
  cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><console>0</console></logger>
  <http_port>${http[$i]}</http_port>
  <tcp_port>${tcp[$i]}</tcp_port>
  <interserver_http_port>${inter[$i]}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <mark_cache_size>$mark</mark_cache_size>
  <uncompressed_cache_size>$uncompressed</uncompressed_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <keep_alive_timeout>30</keep_alive_timeout>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
  <zookeeper><node><host>127.0.0.1</host><port>$zk_port</port></node><session_timeout_ms>4000</session_timeout_ms></zookeeper>
  <macros><shard>$((i / 2 + 1))</shard><replica>node$i</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  <remote_servers><vigia>$shards</vigia></remote_servers>
</yandex>
EOF
  cat >"$d/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>${CH_MAX_THREADS:-2}</max_threads><max_memory_usage>4000000000</max_memory_usage><use_uncompressed_cache>1</use_uncompressed_cache><connect_timeout_with_failover_ms>200</connect_timeout_with_failover_ms><log_queries>1</log_queries></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
  setsid "$server" --config-file="$d/config.xml" >"$d/stdout.log" 2>&1 &
  echo $! >"$dir/node$i.pid"
  echo "${http[$i]}" >>"$dir/ports"
done
for i in 0 1 2 3; do
  wait_for 90 "clickhouse-server node$i" curl -sf "http://127.0.0.1:${http[$i]}/ping" || { stop; exit 1; }
done
cat "$dir/ports"
