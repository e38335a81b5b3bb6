# Shared by the browser tests' runners (run.sh, brief.sh): sourced, not run.
# Needs $vigia (the binary), $web (web/) and $work (the test's directory).
#
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
