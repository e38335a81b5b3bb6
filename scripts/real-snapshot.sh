#!/usr/bin/env bash
# Assembles a Vigía snapshot directory (SPEC §1 "snapshot dir") from the
# real public data in ../shared/data, for `vigia analyze`. The layout (every
# sub-directory and the file names the loader recognises) is defined once in
# src/snapshot/layout.h and described in docs/snapshot.md; the manifest this
# writes is verified by analyze (sizes and SHA-256, src/snapshot/manifest.h). What each source
# is, its date, and what the mismatched dates do to the result:
# docs/real-data.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/real-snapshot.sh OUT [DATA]

Assembles the snapshot directory OUT from the real data in DATA (default:
the shared/data directory beside the repository, ../shared/data), then:

  vigia analyze OUT --db sqlite:real.db --json

OUT must not exist or be empty. Files that Vigía reads as they are become
absolute symlinks into DATA (nothing is copied); OUT/manifest.json gives the
window, every file's source, date, size and SHA-256, and a note per source.

  mrt/        RouteViews route-views2 RIB 2014-05-23 06:00 (IPv4, first MiB),
              RouteViews route-views6 RIB 2015-11-01 06:00 (IPv6, first MiB),
              RIPE RIS rrc06 updates 2015-04-01 00:00-00:05
  rpki/       AFRINIC trust anchor VRPs, ~2022-01-01
  irr/        ARIN-WHOIS originAS 2022-09-25; RIPE DB route/route6 sample 2016-04
  registry/   AFRINIC and LACNIC delegated-extended 2023-03-23; IANA IPv4 and
              IPv6 unicast registries, copies of ~2020-10
  topology/   CAIDA as-rel 2022-03-01 (serial-1), as2org 2022-04-01
  peeringdb/  PeeringDB ix, ixlan, ixpfx of 2016-10-19 (no net table)
  extra/      MANRS network-operator participants, ~2022-11

Exit status: 0 done, 2 bad arguments, a missing input or an unusable OUT.
EOF
}

die() {
  echo "real-snapshot.sh: $*" >&2
  exit 2
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  "" | -*)
    usage >&2
    exit 2
    ;;
esac
[ $# -le 2 ] || die "too many arguments (see --help)"

here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
data="${2:-$here/../../shared/data}"
if [ -e "$out" ]; then
  [ -d "$out" ] || die "$out: exists and is not a directory"
  [ -z "$(ls -A "$out")" ] || die "$out: exists and is not empty; remove it first"
fi
[ -d "$data" ] || die "$data: no such directory (the shared data set; see docs/real-data.md)"
data="$(cd "$data" && pwd -P)"
if [ -e "$out" ]; then rmdir "$out"; fi
mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd -P)/$(basename "$out")"
partial="$out_abs.partial.$$"
trap 'rm -rf "$partial"' EXIT
mkdir -p "$partial"/{mrt,rpki,irr,registry,topology,peeringdb,extra}

# The manifest's file list, one JSON object per line, filled by link().
entries=()

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# link DEST SOURCE DATE WHAT: OUT/DEST -> DATA/SOURCE (absolute symlink).
link() {
  local dest=$1 src=$2 date=$3 what=$4
  [ -f "$data/$src" ] || die "$data/$src: missing (the shared data set is incomplete)"
  ln -s "$data/$src" "$partial/$dest"
  local size sum
  size=$(stat -L -c %s "$data/$src")
  sum=$(sha256sum "$data/$src" | cut -d' ' -f1)
  entries+=("{\"path\": $(json_string "$dest"), \"size\": $size, \"sha256\": \"$sum\", \"source\": $(json_string "$src"), \"date\": $(json_string "$date"), \"what\": $(json_string "$what")}")
}

# MRT. Vigía reads RIB dumps (names holding "bview" or "rib") first, then
# the other files in name order; a file's collector is its name up to the
# first '.'. The only substantial TABLE_DUMP_V2 RIBs here are the first MiB
# of two RouteViews dumps (pyasn); RIS rrc06 updates are the only update file
# after the IPv4 RIB that is not itself a table transfer (see
# docs/real-data.md, "Why these MRT files").
link mrt/route-views2.bview.20140523.0600.bz2 mrt/pyasn/rib.20140523.0600_firstMB.bz2 \
  2014-05-23T06:00:00Z \
  "RouteViews route-views2 TABLE_DUMP_V2 RIB, first 1 MiB of the .bz2 (truncated stream): 270,005 entries, 9,072 IPv4 prefixes 0.0.0.0/0-12.167.138.0/24, 35 peers"
link mrt/route-views6.bview.20151101.0600.bz2 mrt/pyasn/rib6.20151101.0600_firstMB.bz2 \
  2015-11-01T06:00:00Z \
  "RouteViews route-views6 TABLE_DUMP_V2 RIB, first ~1 MiB of the .bz2 (truncated stream): 149,578 entries, 6,870 IPv6 prefixes 2001::/32-2401:be00::/32, 27 peers"
link mrt/rrc06.updates.20150401.0000.gz mrt/libbgpstream-testdata/ris.rrc06.updates.1427846400.gz \
  2015-04-01T00:00:04Z \
  "RIPE RIS rrc06 BGP4MP updates, one 5-minute file: 1,435 announcements, 122 withdrawals, 4 state changes"

# RPKI: the only real VRP set (one trust anchor), RIPE-validator CSV.
link rpki/afrinic-vrps-20220101.csv rpki/samples/afrinic-roas-validator-export.csv \
  2022-01-01 "RPKI VRPs of the AFRINIC trust anchor only, RIPE validator CSV, 4,372 VRPs"

# IRR: ARIN's originAS JSON (read as the ARIN-WHOIS source) and the small
# RIPE DB extract (its objects say "source: RIPE"). The rpsl-fixtures are
# parser fixtures, not registrations, and stay out.
link irr/arin-whois-originas-20220925.json.bz2 irr/arin-whois/arin-whois-originas-20220925.json.bz2 \
  2022-09-25 "ARIN WHOIS originAS export (ARIN-WHOIS pseudo-IRR), 107,165 IPv4 + 10,338 IPv6 records"
link irr/ripe-db-route.txt irr/ripe-db-sample/ripe-db-route.txt \
  2016-04 "RIPE DB route objects, 62-object extract of ripe.db.route"
link irr/ripe-db-route6.txt irr/ripe-db-sample/ripe-db-route6.txt \
  2016-04 "RIPE DB route6 objects, 62-object extract of ripe.db.route6"

# Registry: Registry::Load reads delegated-* files and the two IANA CSVs.
# The NRO sample is a 19-line extract and stays out.
link registry/delegated-afrinic-extended-20230323.gz registry/delegated/delegated-afrinic-extended-20230323.gz \
  2023-03-23 "AFRINIC delegated-extended statistics"
link registry/delegated-lacnic-extended-20230323.gz registry/delegated/delegated-lacnic-extended-20230323.gz \
  2023-03-23 "LACNIC delegated-extended statistics"
link registry/ipv4-address-space.csv registry/iana/ipv4-address-space.csv \
  2020-10 "IANA IPv4 Address Space Registry (copy of ~2020-10)"
link registry/ipv6-unicast-address-assignments.csv registry/iana/ipv6-unicast-address-assignments.csv \
  2020-10 "IANA IPv6 Global Unicast Address Assignments (copy of ~2020-10)"

# Topology: analyze reads files whose names hold "as-rel" and "as-org2info".
link topology/20220301.as-rel.txt.bz2 caida/serial-1/20220301.as-rel.txt.bz2 \
  2022-03-01 "CAIDA AS relationships serial-1, inferred from RIS and RouteViews 2022-03-01..05, 418,744 links"
link topology/20220401.as-org2info.txt.gz caida/as2org/20220401.as-org2info.txt.gz \
  2022-04-01 "CAIDA AS-to-organisation mapping"

# PeeringDB: the one real API dump here has the IXP tables only.
link peeringdb/ix.json.gz peeringdb/pdb-api-20161019/ix.json.gz 2016-10-19 "PeeringDB API dump, ix (557 IXPs)"
link peeringdb/ixlan.json.gz peeringdb/pdb-api-20161019/ixlan.json.gz 2016-10-19 "PeeringDB API dump, ixlan"
link peeringdb/ixpfx.json.gz peeringdb/pdb-api-20161019/ixpfx.json.gz 2016-10-19 "PeeringDB API dump, ixpfx (793 peering-LAN prefixes)"

# MANRS participants (network operators).
link extra/manrs_isps.csv incidents/manrs-participants/manrs_isps.csv \
  2022-11 "MANRS network-operator participants (org, areas, ASNs, actions 1-4), 668 organisations"

# The window, from the MRT data above (bgpdump -m timestamps): it starts
# at the IPv4 RIB (1400824800) and ends one second after the last data, the
# IPv6 RIB (1446357600), as `vigia analyze` would take it without a
# manifest. Routes still present at the end are taken to last until then.
window_start=2014-05-23T06:00:00Z
window_end=2015-11-01T06:00:01Z

{
  echo "{"
  echo " \"format\": \"vigia-snapshot/1\","
  echo " \"date\": \"${window_start:0:10}\","
  echo " \"window\": {\"start\": \"$window_start\", \"end\": \"$window_end\"},"
  echo " \"generator\": {\"name\": \"scripts/real-snapshot.sh\"},"
  echo " \"simulated\": false,"
  echo " \"note\": ["
  echo "  \"Real public data of different dates; see docs/real-data.md for what they limit.\","
  echo "  \"mrt: RouteViews route-views2 RIB 2014-05-23 06:00 UTC (IPv4, first MiB only); RouteViews route-views6 RIB 2015-11-01 06:00 UTC (IPv6, first MiB only); RIPE RIS rrc06 updates 2015-04-01 00:00-00:05 UTC.\","
  echo "  \"rpki: AFRINIC trust anchor VRPs ~2022-01-01 (no other RIR's ROAs: elsewhere every route is not-found).\","
  echo "  \"irr: ARIN-WHOIS originAS 2022-09-25; RIPE DB route/route6 extract 2016-04 (62 + 62 objects).\","
  echo "  \"registry: AFRINIC and LACNIC delegated-extended 2023-03-23; IANA IPv4/IPv6 registries ~2020-10 (ARIN, APNIC, RIPE NCC files absent: their space counts as delegated).\","
  echo "  \"topology: CAIDA as-rel 2022-03-01 (serial-1), as2org 2022-04-01.\","
  echo "  \"peeringdb: ix, ixlan, ixpfx 2016-10-19 (no net, netixlan or poc table).\","
  echo "  \"extra: MANRS network-operator participants ~2022-11.\""
  echo " ],"
  echo " \"files\": ["
  n=${#entries[@]}
  for ((i = 0; i < n; i++)); do
    sep=","
    [ $((i + 1)) -eq "$n" ] && sep=""
    echo "  ${entries[$i]}$sep"
  done
  echo " ]"
  echo "}"
} >"$partial/manifest.json"

mv "$partial" "$out_abs"
trap - EXIT
echo "real-snapshot.sh: wrote $out_abs (${#entries[@]} files from $data)"
