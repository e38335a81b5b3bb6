# Shared by the browser tests' runners (run.sh, ixp.sh, brief.sh): sourced, not run.
# Sets $root (the checkout), $web (web/) and $chromium ($CHROMIUM, else /usr/bin/chromium);
# the functions need $vigia (the binary) and $work (the test's directory).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
web="$root/web"
chromium="${CHROMIUM:-/usr/bin/chromium}"

# skip MESSAGE: prints "SKIP: MESSAGE" and exits 77 (the tests' skip code).
skip() { echo "SKIP: $*"; exit 77; }

# require_browser: skips without Chromium, web/node_modules, web/dist or node.
require_browser() {
  [ -x "$chromium" ] || skip "$chromium is missing (apt-get install chromium)"
  [ -d "$web/node_modules/playwright-core" ] || skip "web/node_modules is missing (cd web && npm ci)"
  [ -f "$web/dist/index.html" ] || skip "web/dist is missing (cd web && npm run build)"
  command -v node >/dev/null || skip "node is missing"
}

# begin_browser_test: require_browser, then $vigia checked (exit 1 when it is not executable)
# and fresh_work.
begin_browser_test() {
  require_browser
  [ -x "$vigia" ] || { echo "FAIL: $vigia is not executable"; exit 1; }
  fresh_work
}

# fresh_work: $work emptied (created) and made absolute; exits 1 when it cannot be.
fresh_work() {
  rm -rf "$work" && mkdir -p "$work" || exit 1
  work="$(cd "$work" && pwd)"
}

# simulated_snapshot OUT [ARGS...]: `vigia simulate` of the tests' small world (seed 9, 600 ASes)
# with ARGS into OUT, then `vigia analyze` of it into $work/vigia.db; logs appended to
# $work/simulate.log and $work/analyze.log. Exits 1 on a failure.
simulated_snapshot() {
  "$vigia" simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 "${@:2}" --out "$1" >>"$work/simulate.log" 2>&1 \
    || { echo "FAIL: vigia simulate (see $work/simulate.log)"; exit 1; }
  "$vigia" analyze --db "sqlite:$work/vigia.db" "$1" >>"$work/analyze.log" 2>&1 \
    || { echo "FAIL: vigia analyze (see $work/analyze.log)"; exit 1; }
}

# start_server DB [ARGS...]: `vigia serve` of sqlite DB with the built app
# (web/dist) on a free loopback port, its output in $work/serve.out and
# $work/serve.log; sets server_pid and server_url. Returns 1, printing the
# log, when the server does not start within 10 s.
start_server() {
  "$vigia" serve --db "sqlite:$1" --listen 127.0.0.1:0 --web "$web/dist" "${@:2}" \
    >"$work/serve.out" 2>"$work/serve.log" &
  server_pid=$!
  server_url=""
  for _ in $(seq 1 100); do
    server_url="$(sed -n 's/^vigia: serving \(http:[^ ]*\).*/\1/p' "$work/serve.out" | head -n1)"
    [ -n "$server_url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: the server did not start (see $work/serve.log)"
  cat "$work/serve.log"
  stop_server
  return 1
}

# stop_server: stops the server start_server started and waits for it.
stop_server() {
  [ -n "${server_pid:-}" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  server_pid=""
}
