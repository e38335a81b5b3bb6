#!/usr/bin/env bash
# contrib/systemd/vigia-daily.{service,timer} pass `systemd-analyze verify`
# with no warning. verify needs ExecStart's program to exist, so a copy of
# the units is checked with ExecStart pointing at the built vigia.
# Usage: tests/systemd_verify.sh SOURCE_DIR VIGIA_BINARY. Exit 77 = skipped.
set -euo pipefail
src=$1 vigia=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is missing (Debian package systemd)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src"/contrib/systemd/vigia-daily.service "$src"/contrib/systemd/vigia-daily.timer "$work"/
grep -q '^ExecStart=/usr/local/bin/vigia daily ' "$work"/vigia-daily.service
sed -i "s|^ExecStart=/usr/local/bin/vigia |ExecStart=$vigia |" "$work"/vigia-daily.service
# The command line the unit runs is one vigia accepts.
args=$(sed -n "s|^ExecStart=$vigia ||p" "$work"/vigia-daily.service)
"$vigia" daily --help >/dev/null
out=$(cd "$work" && systemd-analyze verify --man=no vigia-daily.service vigia-daily.timer 2>&1) || {
  echo "$out"
  echo "FAIL: systemd-analyze verify"
  exit 1
}
if [ -n "$out" ]; then
  echo "$out"
  echo "FAIL: systemd-analyze verify warned"
  exit 1
fi
# Every option of the ExecStart line is one `vigia daily --help` lists.
for opt in $(tr ' ' '\n' <<<"$args" | grep '^--'); do
  "$vigia" daily --help | grep -q -- "$opt" || { echo "FAIL: vigia daily has no $opt"; exit 1; }
done
echo "ok: systemd-analyze verify passes on vigia-daily.service and vigia-daily.timer"
