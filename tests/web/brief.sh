#!/usr/bin/env bash
# The country brief's PDF (issue [3/7] item 4): tests/web/brief.sh VIGIA_BINARY WORKDIR
# Builds a store of three monthly simulated snapshots in WORKDIR, serves it on a free loopback
# port for the API's numbers, and runs brief.test.mjs, which prints one brief per language with
# `vigia brief` and checks each PDF (page count, numbers equal the API's) with poppler's pdftotext.
# Artifacts: WORKDIR/*.pdf, WORKDIR/brief-es.png.
# Exit: 0 all passed, 1 a failure, 77 skipped (no Chromium, node, web/node_modules, web/dist or
# pdftotext).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
web="$root/web"
vigia="${1:?usage: brief.sh VIGIA_BINARY WORKDIR}"
work="${2:?usage: brief.sh VIGIA_BINARY WORKDIR}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$chromium" ] || skip "$chromium is missing (apt-get install chromium)"
[ -d "$web/node_modules/playwright-core" ] || skip "web/node_modules is missing (cd web && npm ci)"
[ -f "$web/dist/index.html" ] || skip "web/dist is missing (cd web && npm run build)"
command -v node >/dev/null || skip "node is missing"
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || skip "pdftotext/pdfinfo are missing (apt-get install poppler-utils)"
[ -x "$vigia" ] || { echo "FAIL: $vigia is not executable"; exit 1; }

rm -rf "$work" && mkdir -p "$work" || exit 1
work="$(cd "$work" && pwd)"
# Three snapshots in three months: the brief's trend has points to draw.
for d in 20260715 20260915 20261115; do
  "$vigia" simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --date "$d" --out "$work/snap-$d" >>"$work/simulate.log" 2>&1 \
    || { echo "FAIL: vigia simulate (see $work/simulate.log)"; exit 1; }
  "$vigia" analyze --db "sqlite:$work/vigia.db" "$work/snap-$d" >>"$work/analyze.log" 2>&1 \
    || { echo "FAIL: vigia analyze (see $work/analyze.log)"; exit 1; }
done

"$vigia" serve --db "sqlite:$work/vigia.db" --listen 127.0.0.1:0 --web "$web/dist" --no-access-log \
  >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; }
trap stop EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^vigia: serving \(http:[^ ]*\).*/\1/p' "$work/serve.out" | head -n1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "FAIL: the server did not start (see $work/serve.log)"; cat "$work/serve.log"; exit 1; }
echo "serving $url"

node "$here/brief.test.mjs" "$url" "$work" "$vigia"
rc=$?
stop
trap - EXIT
echo "artifacts: $work"
exit $rc
