#!/usr/bin/env bash
# The country brief's PDF (issue [3/7] item 4): tests/web/brief.sh VIGIA_BINARY WORKDIR [SHARED_DATA]
# Builds a store of three monthly simulated snapshots in WORKDIR, serves it on a free loopback
# port for the API's numbers, and runs brief.test.mjs, which prints one brief per language with
# `vigia brief` and checks each PDF (page count, numbers equal the API's) with poppler's pdftotext.
# First, without a browser: what `vigia brief` refuses (no Chromium, unknown country, bad code or
# language) exits 2 with a clear message. Artifacts: WORKDIR/*.pdf, WORKDIR/brief-es.png.
# With SHARED_DATA (../shared/data), also Brazil's brief in Spanish on the real-data snapshot.
# Exit: 0 all passed, 1 a failure, 77 skipped (no Chromium, node, web/node_modules, web/dist or
# pdftotext).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
vigia="${1:?usage: brief.sh VIGIA_BINARY WORKDIR}"
work="${2:?usage: brief.sh VIGIA_BINARY WORKDIR}"
[ -x "$vigia" ] || { echo "FAIL: $vigia is not executable"; exit 1; }

. "$here/lib.sh"
fresh_work
# Three snapshots in three months: the brief's trend has points to draw.
for d in 20260715 20260915 20261115; do
  simulated_snapshot "$work/snap-$d" --date "$d"
done

# What `vigia brief` refuses, with a clear message and status 2, checked with or without a browser.
fails=0
expect_fail() {  # NAME WANTED_MESSAGE ARGS...
  local name="$1" want="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q "$want"; then
    echo "ok   $name"
  else
    echo "FAIL $name: status $rc, message: $err"
    fails=$((fails + 1))
  fi
}
db="sqlite:$work/vigia.db"
expect_fail "vigia brief without Chromium exits 2 and says so" "Chromium is missing" \
  env CHROMIUM=/nonexistent/chromium "$vigia" brief --db "$db" --country BR --out "$work/never.pdf"
expect_fail "vigia brief for a country not in the snapshot exits 2 and names it" "country ZZ is not in snapshot" \
  "$vigia" brief --db "$db" --country ZZ --out "$work/never.pdf"
expect_fail "vigia brief with a bad country code exits 2" "two-letter" \
  "$vigia" brief --db "$db" --country BRA --out "$work/never.pdf"
expect_fail "vigia brief in an unknown language exits 2" "lang" \
  "$vigia" brief --db "$db" --country BR --lang fr --out "$work/never.pdf"
[ ! -e "$work/never.pdf" ] || { echo "FAIL: a refused brief wrote $work/never.pdf"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1

require_browser
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || skip "pdftotext/pdfinfo are missing (apt-get install poppler-utils)"

# Serves DB on a free loopback port and runs brief.test.mjs against it: serve_and_check DB [CASES].
serve_and_check() {
  local db="$1" cases="${2:-}" url rc
  trap stop_server EXIT
  start_server "$db" --no-access-log || return 1
  url="$server_url"
  echo "serving $db at $url"
  node "$here/brief.test.mjs" "$url" "$work" "$vigia" "$db" $cases
  rc=$?
  stop_server
  trap - EXIT
  return $rc
}

serve_and_check "$work/vigia.db" || exit 1

# The real-data snapshot (scripts/real-snapshot.sh over SHARED_DATA), when present: Brazil in Spanish.
shared="${3:-}"
if [ -n "$shared" ] && [ -d "$shared/mrt" ]; then
  "$root/scripts/real-snapshot.sh" "$work/real-snap" "$shared" >"$work/real-snapshot.log" 2>&1 \
    || { echo "FAIL: scripts/real-snapshot.sh (see $work/real-snapshot.log)"; exit 1; }
  "$vigia" analyze "$work/real-snap" --db "sqlite:$work/real.db" >"$work/real-analyze.log" 2>&1
  [ $? -le 1 ] || { echo "FAIL: vigia analyze of the real snapshot (see $work/real-analyze.log)"; exit 1; }
  serve_and_check "$work/real.db" "es:BR" || exit 1
else
  echo "note: no shared data${shared:+ at $shared}: the real-data brief is not checked"
fi
echo "artifacts: $work"
exit 0
