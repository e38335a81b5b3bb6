#!/usr/bin/env bash
# Runs the whole test suite: configure + build the release preset, then
# ctest. With --sanitize, the same under the debug preset (ASan + UBSan,
# built with clang: a cold sanitizer build took 17 min with clang 14 where
# gcc 12 needs about twice that on this 2-core machine, and CI runs both).
# Tests that need ../shared/data skip with a message when it is absent; the
# browser test (tests/web/run.sh) skips when the web app is not built.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=release
extra=()
# The sanitizer run leaves out the browser tests (label "browser": they drive
# Chromium and check the web app, not memory safety), the IXP live lab
# (label "lab": 75 s of BGP daemons converging; vigia's own parts of it,
# rtr serve, ixp config and ixp check, have their own tests that do run), the
# ClickHouse cluster test (label "cluster": five JVM and ClickHouse daemons,
# ~320 s; the same client code runs under ASan against one server), the
# route archive's test (240 s under ASan where release takes 31 s; its
# ClickHouse client is the one ClickHouseStore runs under ASan), the four slowest
# whole-file comparisons on real data, two determinism checks that run a
# simulation twice, and the fourteen end-to-end runs that take 15 s or more
# each under ASan (simulate + analyze + report/serve/topo on whole
# snapshots: about 620 s of test time under ASan, 310 s of wall time on two
# cores). The release run runs them all; the fuzz replays and the smaller
# tests take the same code through ASan.
slow='^(RouteArchive$|Modes/BgpdumpCompat\.EveryFile|WriterRealData\.TableDumpV2Ipv6RoundTrips|RealData\.AnalyzeEndToEnd|SimulateCli\.MrtParsesWithVigiaAndBgpdump|RealInternet\.CaidaGraphWithIpLocationTableIsDeterministic|SimulateCli\.SameSeedGivesIdenticalBytes|AnalyzeCli\.DemoRunsThePipeline|AnalyzeCli\.PartitionsAndMergeStoreTheSameSnapshotByteForByte|RealInternet\.CaidaGraphWithIpLocationTable|RealInternet\.CaidaGraphWithAs2Org|RealInternet\.CaidaGraphWithPyasnTableNestsAnnouncements|Detect\.PrecisionAndRecallOnSimulatedSnapshots|Serve\.DemoEndsServing|ReportCli\.StoredSummaryEqualsTheMembers|ReportCli\.HistoryAcrossSnapshots|SimulateCli\.RealGraphAndPrefixTable|MrtArchive\.ARibEntryCostsUnderTwelveBytesAtManyPeersPerPrefix|Router\.LeakGivesAStableStateOnRandomGraphs|TopoCli\.ConeSizeRankAndMembers|TopoCli\.RelReportsSiblingsFromAs2Org)'
[ "${1:-}" = "--sanitize" ] && preset=debug && extra=(-LE "browser|lab|cluster" -E "$slow")
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)" "${extra[@]}"
