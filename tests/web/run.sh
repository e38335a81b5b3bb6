#!/usr/bin/env bash
# Browser tests of the web dashboard: tests/web/run.sh VIGIA_BINARY WORKDIR
# Builds a store from a simulated snapshot, serves it with the built app (web/dist),
# runs ui.test.mjs in headless Chromium (playwright-core) and stops the server.
# Exit: 0 all passed, 1 a failure, 77 skipped (no /usr/bin/chromium, web/node_modules or web/dist).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
vigia="${1:?usage: run.sh VIGIA_BINARY WORKDIR}"
work="${2:?usage: run.sh VIGIA_BINARY WORKDIR}"

. "$here/lib.sh"
begin_browser_test
# An older snapshot a month before, for the history, the comparison over time and the snapshot
# picker, stored first.
simulated_snapshot "$work/snap-old" --date 20261022
simulated_snapshot "$work/snap"
# An operator token (docs/contests.md) for the culprit of the incident the UI
# test contests: the first hijack, else the first incident.
first_culprit() {
  "$vigia" incidents --db "sqlite:$work/vigia.db" --limit 1 --json "$@" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const a=JSON.parse(s||"[]");process.stdout.write(a.length?String(a[0].culprit):"")})'
}
culprit="$(first_culprit --type hijack)"
[ -n "$culprit" ] || culprit="$(first_culprit)"
[ -n "$culprit" ] || { echo "FAIL: the simulated snapshot has no incident"; exit 1; }
token_name="web-test-noc"
token="$("$vigia" token create --db "sqlite:$work/vigia.db" --name "$token_name" --role operator \
  --asn "$culprit" 2>"$work/token.log")" || { echo "FAIL: vigia token create (see $work/token.log)"; exit 1; }

trap stop_server EXIT
start_server "$work/vigia.db" || exit 1
url="$server_url"
echo "serving $url"

node "$here/ui.test.mjs" "$url" "$work" "$token" "$token_name"
rc=$?
stop_server
trap - EXIT
echo "screenshots: $work/screenshots"
exit $rc
