#!/usr/bin/env bash
# The dashboard's IXP page (issue [4/7] item 6): tests/web/ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]
# Builds a store from a simulated snapshot, serves it with the built app (web/dist), stores
# route-server checks for two IXPs and runs ixp.test.mjs in headless Chromium: the members with
# what each must fix, the route-server report and the MANRS-for-IXPs checklist, in English and
# Spanish, against /api/ixp/{id}; a third IXP has no check.
# The checks: for the IXP with the most members, `vigia ixp check --db` on the NL-ix route
# server's dump of the MANRS IXP validation tool (SHARED_DATA/mrt/ixp-rs, with
# ixp/nlix-members.yml and the tool's ROA file); for the second, ixp/report.json given two of
# its real members (their bad routes show in the members table), written with sqlite3.
# Exit: 0 all passed, 1 a failure, 77 skipped (no Chromium, node, web/node_modules or web/dist).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
vigia="${1:?usage: ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]}"
work="${2:?usage: ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]}"
data="${3:-}"

. "$here/lib.sh"
begin_browser_test
simulated_snapshot "$work/snap"

trap stop_server EXIT
start_server "$work/vigia.db" || exit 1
url="$server_url"
echo "serving $url"

# The IXPs by members, most first.
json() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);process.stdout.write(String(('"$1"')(j)))})'; }
ixps="$(curl -sf "$url/api/ranking?kind=ixp&limit=1000" | json 'j=>j.entities.sort((a,b)=>b.size-a.size||a.id.localeCompare(b.id)).map(e=>e.id).join(" ")')"
set -- $ixps
[ $# -ge 3 ] || { echo "FAIL: the simulated store has fewer than three IXPs"; exit 1; }
first="$1" second="$2"
checked=""

# The largest: the real check, `vigia ixp check` on the NL-ix dump (exit 1: bad routes found,
# the ROA file makes 185.186.79.0/24 RPKI-invalid).
dump="$data/mrt/ixp-rs/185.186.nlix.mrt.gz"
roas="$data/rpki/samples/manrs-ixp-roa_test.json"
if [ -n "$data" ] && [ -f "$dump" ] && [ -f "$roas" ] && "$vigia" ixp check --help 2>/dev/null | grep -q -- '--db'; then
  "$vigia" ixp check "$dump" --members "$here/ixp/nlix-members.yml" --vrps "$roas" --rs-asn 34307 \
    --db "sqlite:$work/vigia.db" --ixp "$first" >"$work/check.out" 2>"$work/check.err"
  rc=$?
  [ "$rc" -eq 1 ] || { echo "FAIL: vigia ixp check exited $rc, want 1"; cat "$work/check.err"; exit 1; }
  echo "IXP $first: vigia ixp check on $dump stored"
  checked="$first"
else
  echo "IXP $first: no real check (needs SHARED_DATA and vigia ixp check --db)"
fi

# The second: ixp/report.json given two of its real members, so that the members table shows
# their bad routes and fixes, written into the store's rs_checks table.
if command -v sqlite3 >/dev/null; then
  members="$(curl -sf "$url/api/ixp/$second?members=1000" | json 'j=>j.members.listed.map(m=>m.asn).join(" ")')"
  set -- $members
  [ $# -ge 2 ] || { echo "FAIL: IXP $second has fewer than two members"; exit 1; }
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));r.per_member[0].asn=+process.argv[2];r.per_member[1].asn=+process.argv[3];process.stdout.write(JSON.stringify(r))' \
    "$here/ixp/report.json" "$1" "$2" >"$work/report.json" || exit 1
  sqlite3 "$work/vigia.db" "INSERT INTO rs_checks (ixp_id, checked_at, rib_file, rib_date, report_json)
    VALUES ('$second', strftime('%Y-%m-%dT%H:%M:%SZ','now'), 'rs1-2026-11-22.mrt', '2026-11-22', readfile('$work/report.json'));" \
    || { echo "FAIL: could not store the report"; exit 1; }
  echo "IXP $second: tests/web/ixp/report.json stored with members AS$1 and AS$2"
  checked="${checked:+$checked,}$second"
else
  echo "IXP $second: no sqlite3 to store ixp/report.json"
fi
[ -n "$checked" ] || skip "no route-server check could be stored (no SHARED_DATA with vigia ixp check --db, no sqlite3)"

node "$here/ixp.test.mjs" "$url" "$work" "$checked"
rc=$?
stop_server
trap - EXIT
echo "screenshots: $work/screenshots"
exit $rc
