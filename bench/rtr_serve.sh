#!/usr/bin/env bash
# RTR cache at scale (issue 16 item 3): CLIENTS concurrent routers (default
# 1,000), each sending a Reset Query and reading the full set, against
# `vigia rtr serve` and then StayRTR (Debian `stayrtr`) on the same input.
# Prints the time until every client has its End of Data and each server's
# peak RSS (VmHWM from /proc), side by side with the ratio.
#
# The input: no real VRP file of 600 k entries is in ../shared/data, so the
# largest real one (the AFRINIC export, 4,372 VRPs) is replicated with
# shifted prefixes (another first octet for IPv4, another second group for
# IPv6; origin ASNs kept) until VRPS unique entries (default 600,000).
#
# StayRTR 0.5.1 writes each PDU on its own, and needs about 2.5 s of CPU per
# client for 600 k VRPs here: 1,000 clients would take some 40 minutes, so
# each server's load run stops after LOAD_TIMEOUT seconds (default 300) and
# the table then says how many clients had synced by then.
#
#   bench/rtr_serve.sh [CLIENTS] [VRPS]     (VIGIA=path/to/vigia to skip the build;
#                                            STAYRTR_CLIENTS=N for another count for StayRTR)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
want=${2:-600000}
real=${VIGIA_SHARED_DATA:-../shared/data}/rpki/samples/afrinic-roas-validator-export.csv
[ -f "$real" ] || { echo "rtr_serve.sh: $real is absent" >&2; exit 77; }
command -v stayrtr >/dev/null || { echo "rtr_serve.sh: stayrtr is not installed" >&2; exit 77; }

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIA_BENCH=ON -DVIGIA_TESTS=OFF >/dev/null
cmake --build build/bench --target rtr_load >/dev/null
if [ -z "${VIGIA:-}" ]; then
  cmake --build build/bench --target vigia >/dev/null
  VIGIA=build/bench/vigia
fi
load=build/bench/bench/rtr_load

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$real" "$want" "$tmp/vrps.json" <<'EOF'
import csv, ipaddress, json, sys
src, want, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = []
with open(src) as f:
    for row in csv.DictReader(f):
        asn = int(row["ASN"].upper().removeprefix("AS"))
        base.append((ipaddress.ip_network(row["IP Prefix"], strict=False), int(row["Max Length"]), asn))
seen, roas, k = set(), [], 0
while len(roas) < want and k < 4096:
    for net, maxlen, asn in base:
        if net.version == 4:
            a = (int(net.network_address) + (k << 24)) % (223 << 24)
            a = max(a, 1 << 24)
            n = ipaddress.ip_network((a, net.prefixlen), strict=False)
        else:
            a = int(net.network_address) ^ ((k & 0xffff) << 96)
            n = ipaddress.ip_network((a, net.prefixlen), strict=False)
        key = (str(n), maxlen, asn)
        if key in seen:
            continue
        seen.add(key)
        roas.append({"prefix": str(n), "maxLength": maxlen, "asn": asn, "ta": "afrinic"})
        if len(roas) >= want:
            break
    k += 1
json.dump({"metadata": {"buildtime": "2022-01-01T00:00:00Z"}, "roas": roas}, open(out, "w"))
print(f"input: {len(roas)} VRPs derived from {len(base)} real AFRINIC VRPs ({k} copies)")
EOF

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until one client syncs (the server has loaded the data).
warm() {
  for _ in $(seq 1 120); do
    if "$load" 127.0.0.1 "$1" 1 1 30 >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "rtr_serve.sh: the server on port $1 never synced" >&2
  return 1
}

run() {  # NAME PID PORT CLIENTS -> "seconds rss_kib synced"
  local name=$1 pid=$2 p=$3 n=$4
  warm "$p"
  echo "== $name: $n clients, Reset Query, version 1" >&2
  local out
  out=$("$load" 127.0.0.1 "$p" "$n" 1 "${LOAD_TIMEOUT:-300}" || true)
  echo "$out" >&2
  local secs rss synced
  secs=$(echo "$out" | sed -n 's/^all synced in \([0-9.]*\) s.*/\1/p')
  synced=$(echo "$out" | sed -n 's/^clients [0-9]* synced \([0-9]*\) .*/\1/p')
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  # The server's CPU time (user + system, warm-up included): on a shared
  # machine the wall time depends on the neighbours, this does not.
  local cpu
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15)/hz}' "/proc/$pid/stat")
  echo "$name: server CPU $cpu s" >&2
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "${secs:-nan} $rss ${synced:-0}/$n $cpu"
}

pv=$(port)
"$VIGIA" rtr serve --vrps "$tmp/vrps.json" --listen "127.0.0.1:$pv" --refresh 3600 \
  --max-clients 100000 >"$tmp/vigia.out" 2>"$tmp/vigia.err" &
vpid=$!
pids+=("$vpid")
read -r vsecs vrss vsynced vcpu < <(run "vigia rtr serve" "$vpid" "$pv" "$clients")

ps=$(port)
stayrtr -bind "127.0.0.1:$ps" -cache "$tmp/vrps.json" -checktime=false -refresh 3600 \
  -metrics.addr "" -protocol 1 -loglevel error >"$tmp/stayrtr.log" 2>&1 &
spid=$!
pids+=("$spid")
read -r ssecs srss ssynced scpu < <(run "stayrtr $(dpkg-query -W -f '${Version}' stayrtr 2>/dev/null || true)" "$spid" "$ps" "${STAYRTR_CLIENTS:-$clients}")

echo
printf '%-22s %12s %10s %12s %14s\n' "" "synced" "time" "server CPU" "peak RSS"
printf '%-22s %12s %8s s %10s s %10s MiB\n' "vigia rtr serve" "$vsynced" "$vsecs" "$vcpu" "$((vrss / 1024))"
printf '%-22s %12s %8s s %10s s %10s MiB\n' "stayrtr" "$ssynced" "$ssecs" "$scpu" "$((srss / 1024))"
python3 - "$vsynced" "$ssynced" "$vsecs" "$ssecs" "$vcpu" "$scpu" "$vrss" "$srss" <<'EOF'
import sys
vs, ss = sys.argv[1], sys.argv[2]
vt, st, vc, sc, vr, sr = map(float, sys.argv[3:])
vn, sn = int(vs.split("/")[0]), int(ss.split("/")[0])
if vs == ss and vn == int(vs.split("/")[1]):
    print(f"ratio stayrtr/vigia: time {st / vt:.2f}x, server CPU {sc / vc:.2f}x, peak RSS {sr / vr:.2f}x")
else:
    # Not the same load: compare the server CPU per synced client.
    spc = f"{sc / sn:.3f}" if sn else "n/a (none synced)"
    print(f"server CPU per synced client: vigia {vc / max(vn, 1):.3f} s, stayrtr {spc} s; "
          f"peak RSS ratio stayrtr/vigia {sr / vr:.2f}x")
EOF
