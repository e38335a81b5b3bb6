#!/usr/bin/env bash
# The dashboard's IXP page (issue [4/7] item 6): tests/web/ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]
# Builds a store from a simulated snapshot, serves it with the built app (web/dist), stores a
# route-server check for the IXP with the most members and runs ixp.test.mjs in headless
# Chromium: the members with what each must fix, the route-server report and the
# MANRS-for-IXPs checklist, in English and Spanish, against /api/ixp/{id}.
# The check stored: `vigia ixp check` on the NL-ix route server's dump of the MANRS IXP
# validation tool (SHARED_DATA/mrt/ixp-rs, with ixp/nlix-members.yml and the tool's ROA file)
# when the command and the data are there; otherwise the report ixp/report.json, given two of
# the IXP's real members, written into the store's rs_checks table with sqlite3.
# Exit: 0 all passed, 1 a failure, 77 skipped (no Chromium, node, web/node_modules or web/dist).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
web="$root/web"
vigia="${1:?usage: ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]}"
work="${2:?usage: ixp.sh VIGIA_BINARY WORKDIR [SHARED_DATA]}"
data="${3:-}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$chromium" ] || skip "$chromium is missing (apt-get install chromium)"
[ -d "$web/node_modules/playwright-core" ] || skip "web/node_modules is missing (cd web && npm ci)"
[ -f "$web/dist/index.html" ] || skip "web/dist is missing (cd web && npm run build)"
command -v node >/dev/null || skip "node is missing"
[ -x "$vigia" ] || { echo "FAIL: $vigia is not executable"; exit 1; }

rm -rf "$work" && mkdir -p "$work" || exit 1
work="$(cd "$work" && pwd)"
"$vigia" simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out "$work/snap" >"$work/simulate.log" 2>&1 \
  || { echo "FAIL: vigia simulate (see $work/simulate.log)"; exit 1; }
"$vigia" analyze --db "sqlite:$work/vigia.db" "$work/snap" >"$work/analyze.log" 2>&1 \
  || { echo "FAIL: vigia analyze (see $work/analyze.log)"; exit 1; }

. "$here/lib.sh"
trap stop_server EXIT
start_server "$work/vigia.db" || exit 1
url="$server_url"
echo "serving $url"

# The IXP with the most members, and its member ASNs (most to fix first).
json() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);process.stdout.write(String(('"$1"')(j)))})'; }
ixp="$(curl -sf "$url/api/ranking?kind=ixp&limit=1000" | json 'j=>j.entities.sort((a,b)=>b.size-a.size||a.id.localeCompare(b.id))[0].id')"
[ -n "$ixp" ] || { echo "FAIL: the simulated store has no IXP"; exit 1; }
echo "IXP $ixp"

dump="$data/mrt/ixp-rs/185.186.nlix.mrt.gz"
roas="$data/rpki/samples/manrs-ixp-roa_test.json"
how=""
if [ -n "$data" ] && [ -f "$dump" ] && [ -f "$roas" ] && "$vigia" ixp check --help 2>/dev/null | grep -q -- '--db'; then
  # Exit 1: bad routes found (the ROA file makes 185.186.79.0/24 RPKI-invalid).
  "$vigia" ixp check "$dump" --members "$here/ixp/nlix-members.yml" --vrps "$roas" --rs-asn 34307 \
    --db "sqlite:$work/vigia.db" --ixp "$ixp" >"$work/check.out" 2>"$work/check.err"
  rc=$?
  [ "$rc" -le 1 ] || { echo "FAIL: vigia ixp check exited $rc"; cat "$work/check.err"; exit 1; }
  how="vigia ixp check on $dump"
else
  command -v sqlite3 >/dev/null || skip "neither vigia ixp check --db with SHARED_DATA nor sqlite3 to store a check"
  members="$(curl -sf "$url/api/ixp/$ixp?members=1000" | json 'j=>j.members.listed.map(m=>m.asn).join(" ")')"
  set -- $members
  [ $# -ge 2 ] || { echo "FAIL: IXP $ixp has fewer than two members"; exit 1; }
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));r.per_member[0].asn=+process.argv[2];r.per_member[1].asn=+process.argv[3];process.stdout.write(JSON.stringify(r))' \
    "$here/ixp/report.json" "$1" "$2" >"$work/report.json" || exit 1
  sqlite3 "$work/vigia.db" "INSERT INTO rs_checks (ixp_id, checked_at, rib_file, rib_date, report_json)
    VALUES ('$ixp', strftime('%Y-%m-%dT%H:%M:%SZ','now'), 'rs1-2026-11-22.mrt', '2026-11-22', readfile('$work/report.json'));" \
    || { echo "FAIL: could not store the report"; exit 1; }
  how="tests/web/ixp/report.json (members AS$1, AS$2) through sqlite3"
fi
echo "route-server check stored: $how"

node "$here/ixp.test.mjs" "$url" "$work" "$ixp"
rc=$?
stop_server
trap - EXIT
echo "screenshots: $work/screenshots"
exit $rc
