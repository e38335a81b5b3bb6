#!/usr/bin/env bash
# Installs every Debian package that Vigía's build, tests, fuzzers and
# benchmarks need (Chromium for the browser tests), then configures and
# builds the release preset and the web app (npm ci; npm run build).
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang clang-format ccache libclang-rt-14-dev
  # libraries
  zlib1g-dev libbz2-dev liblzma-dev libzstd-dev libisal-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libsimdjson-dev libssl-dev libsqlite3-dev sqlite3 libcpp-httplib-dev
  libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # peers and tools the tests and benchmarks run
  bgpdump stayrtr gzip bzip2 xz-utils zstd hyperfine time python3 wrk
  isal linux-perf  # igzip and perf stat: bench/parse_vs_igzip.sh
  # vigia update's tests: a real web server on loopback serving the mirror
  # (the fault proxy is python3), curl for the bench, systemd-analyze for
  # contrib/systemd/ (package systemd)
  nginx-light curl systemd
  # the web app's browser tests (Playwright drives Debian's Chromium)
  chromium fonts-dejavu-core
  # the country brief's test reads the PDF back (pdftotext, pdfinfo)
  poppler-utils
  # the IXP toolkit (src/ixp, tests/ixp_lab): arouteserver's YAML clients
  # files; the live lab's route server and members (BIRD 2, GoBGP, ExaBGP,
  # FRR, OpenBGPD), RTR and IRR peers (rtrclient, bgpq4), network namespaces
  libyaml-cpp-dev bird2 gobgpd exabgp frr openbgpd rtr-tools bgpq4 iproute2
  # the BMP station's tests compare the captures' routes with tshark's
  tshark
  # alert channels' tests (src/alert): a real SMTP server and a real syslog
  python3-aiosmtpd rsyslog
  # the RIS Live websocket client's tests serve JSON over a real websocket
  python3-websockets
  clickhouse-server zookeeper  # the ClickHouse store's tests (src/store/clickhouse_*)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

if [ "${1:-}" != "--no-build" ]; then
  cmake --preset release
  cmake --build --preset release -j"$(nproc)"
  # The web dashboard (web/): npm packages from the lock file, then the
  # build into web/dist, which `vigia serve` serves. Vite 8 needs npm 11.
  if ! command -v npm >/dev/null; then
    echo "setup: npm is missing (the machine's Node.js): cannot build the web app" >&2
    exit 1
  fi
  if [ "$(npm --version | cut -d. -f1)" -lt 11 ]; then
    echo "setup: npm $(npm --version) is too old for the web build; installing npm 11"
    npm install -g npm@11 --no-audit --no-fund
  fi
  (cd web && npm ci --no-audit --no-fund && npm run build)
fi
