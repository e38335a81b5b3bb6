#!/usr/bin/env bash
# fuzz-smoke.sh: build the libFuzzer targets, replay the committed regression
# inputs, then fuzz each target briefly from seeds cut out of real MRT files.
#
#   scripts/fuzz-smoke.sh                 # 30 s per target
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh
#   FUZZ_TARGETS="bgp_update_fuzz" scripts/fuzz-smoke.sh
#   FUZZ_BUILD_DIR=build/my-fuzz scripts/fuzz-smoke.sh   # default build/fuzz
#
# Seeds are made in a temporary directory and deleted afterwards; with
# FUZZ_WORKDIR=dir they and the grown corpora stay in dir/<target> (dir/seeds
# and dir/logs beside them), and a later run goes on from there. They come
# from $VIGIA_SHARED_DATA/mrt (default ../shared/data/mrt) when it is there
# and from a few built-in records otherwise. Crashes, with the log of
# the run that found them, land in fuzz/artifacts/<target>/ (ignored by git);
# every one of them is to be committed under fuzz/regressions/<target>/ once
# understood, and is replayed here first from then on (see fuzz/README.md).
#
# Prints one line per target and last `fuzz: N passed, M failed`; exits 1 if
# any target crashed (a regression input or the fuzz run), 2 if the build
# failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-30}"
read -r -a targets <<<"${FUZZ_TARGETS:-mrt_reader_fuzz bgp_update_fuzz bgp_session_fuzz decompress_fuzz vrp_fuzz rtr_pdu_fuzz rpsl_fuzz delegated_fuzz pfx2as_fuzz extras_fuzz mrt_route_feed_fuzz listing_fuzz whois_query_fuzz ixp_members_fuzz rtr_server_fuzz bmp_fuzz pcap_fuzz ris_live_fuzz websocket_fuzz bgp_capture_fuzz collect_restore_fuzz watch_config_fuzz live_detector_fuzz partial_fuzz}"
build_dir="${FUZZ_BUILD_DIR:-$root/build/fuzz}"  # relative to the repository
# The same override as the CMake cache variable of that name.
shared_mrt="${VIGIA_SHARED_DATA:-$root/../shared/data}/mrt"

# UBSan is compiled in recoverable mode by the root CMakeLists.txt; without
# halt_on_error it would print a report and let the input pass.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# ---------------------------------------------------------------- build
echo "fuzz: building the fuzz preset (${targets[*]})"
if [[ ! -f "$build_dir/build.ninja" ]] && ! cmake --preset fuzz -B "$build_dir"; then
  echo "fuzz: configure failed" >&2
  exit 2
fi
if ! cmake --build "$build_dir" --target "${targets[@]}"; then
  echo "fuzz: build failed" >&2
  exit 2
fi

# ---------------------------------------------------------------- seeds
if [[ -n "${FUZZ_WORKDIR:-}" ]]; then
  work="$FUZZ_WORKDIR"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/vigia-fuzz.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi

if [[ -d "$shared_mrt" ]]; then
  seed_source="$shared_mrt"
else
  seed_source=""
  echo "fuzz: $shared_mrt is absent; not seeding from shared data, using a few built-in records"
fi

# Cuts seeds out of real files: for the MRT reader the first 40 records of
# each file, one per seed (after the file's PEER_INDEX_TABLE, which RIB
# records need), all 40 together, and the first 16 KiB as they are (that
# keeps files whose framing cannot be split naively, such as the RIS 2000
# TABLE_DUMPs that declare 4 bytes too few); for the BGP target the messages,
# UPDATE bodies and attribute blocks inside those records, each behind the
# context byte the target expects; for the decompressor small compressed
# files, the MRT seeds recompressed with every supported format, and cut-off
# copies of both.
python3 - "$seed_source" "$work/seeds" <<'PY'
import bz2, gzip, hashlib, lzma, os, shutil, struct, subprocess, sys

src, out = sys.argv[1], sys.argv[2]
MAX_LEN = 65536
KNOWN_TYPES = {5, 11, 12, 13, 16, 17, 32, 33, 48, 49}
seeds = {t: {} for t in ("mrt_reader_fuzz", "bgp_update_fuzz", "decompress_fuzz", "vrp_fuzz",
                         "rtr_pdu_fuzz", "rpsl_fuzz", "delegated_fuzz", "pfx2as_fuzz", "extras_fuzz",
                         "listing_fuzz", "whois_query_fuzz", "ixp_members_fuzz",
                         "rtr_server_fuzz", "bmp_fuzz", "pcap_fuzz", "ris_live_fuzz",
                         "websocket_fuzz", "bgp_capture_fuzz", "watch_config_fuzz")}

def add(target, data):
    if 0 < len(data) <= MAX_LEN:
        seeds[target].setdefault(hashlib.sha1(data).hexdigest(), data)

def opener(path):
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    return open(path, "rb")

def records(data, limit=40):
    """(header, body) pairs from the front of data, stopping at the first
    header that cannot be one."""
    at, result = 0, []
    while len(result) < limit and at + 12 <= len(data):
        _, typ, _, length = struct.unpack_from(">IHHI", data, at)
        if typ not in KNOWN_TYPES or at + 12 + length > len(data):
            break
        result.append((data[at:at + 12], data[at + 12:at + 12 + length]))
        at += 12 + length
    return result

def bgp_seeds(header, body):
    """Seeds for bgp_update_fuzz from one record: (context byte, bytes)."""
    _, typ, sub, _ = struct.unpack(">IHHI", header)
    found = []
    if typ in (16, 17) and sub in (1, 4, 6, 7, 8, 9, 10, 11):
        b = body[4:] if typ == 17 else body
        as4 = sub in (4, 7, 9, 11)
        add_path = sub >= 8
        w = 4 if as4 else 2
        if len(b) < 2 * w + 4:
            return found
        afi = struct.unpack_from(">H", b, 2 * w + 2)[0]
        ip = 16 if afi == 2 else 4
        msg = b[2 * w + 4 + 2 * ip:]
        ctx = (1 if as4 else 0) | (2 if add_path else 0)
        found.append((ctx, msg))
        if len(msg) > 19 and msg[18] == 2:
            found += update_parts(ctx, msg[19:])
    elif typ == 5 and sub == 1 and len(body) > 12:  # MRTd BGP_UPDATE: no BGP header
        found += update_parts(0, body[12:])
    elif typ == 13 and sub in (2, 3, 4, 5, 8, 9, 10, 11):
        add_path = sub >= 8
        try:
            plen = body[4]
            at = 5 + (plen + 7) // 8
            count = struct.unpack_from(">H", body, at)[0]
            at += 2
            for _ in range(min(count, 4)):
                at += 6 + (4 if add_path else 0)
                alen = struct.unpack_from(">H", body, at)[0]
                found.append((1 | 4 | (2 if add_path else 0), body[at + 2:at + 2 + alen]))
                at += 2 + alen
        except (IndexError, struct.error):
            pass
    return found

def update_parts(ctx, upd):
    """The UPDATE body itself and its attribute block."""
    parts = [(ctx, upd)]
    try:
        wlen = struct.unpack_from(">H", upd, 0)[0]
        alen = struct.unpack_from(">H", upd, 2 + wlen)[0]
        parts.append((ctx, upd[4 + wlen:4 + wlen + alen]))
    except struct.error:
        pass
    return parts

def mrt_seeds(data):
    recs = records(data)
    add("mrt_reader_fuzz", data[:16384])
    if not recs:
        return
    first = recs[0]
    index = first[0] + first[1] if struct.unpack(">HH", first[0][4:8]) == (13, 1) else b""
    whole = b""
    for header, body in recs:
        rec = header + body
        add("mrt_reader_fuzz", rec if rec == index else index + rec)
        if len(whole) + len(rec) <= MAX_LEN:
            whole += rec
        for ctx, b in bgp_seeds(header, body):
            add("bgp_update_fuzz", bytes([ctx]) + b)
    add("mrt_reader_fuzz", whole)

def builtin():
    """A BGP4MP update, a TABLE_DUMP_V2 peer index and an IPv4 and an IPv6
    RIB record, written here so that the targets have something to start
    from without ../shared."""
    def attr(flags, typ, body):
        return bytes([flags, typ, len(body)]) + body
    as_path = attr(0x40, 2, bytes([2, 2]) + struct.pack(">II", 65001, 64496))
    attrs = (attr(0x40, 1, b"\x00") + as_path + attr(0x40, 3, bytes([192, 0, 2, 1])) +
             attr(0xC0, 8, struct.pack(">I", (65001 << 16) | 100)))
    upd = struct.pack(">H", 0) + struct.pack(">H", len(attrs)) + attrs + bytes([24, 198, 51, 100])
    msg = b"\xff" * 16 + struct.pack(">HB", 19 + len(upd), 2) + upd
    peer = struct.pack(">IIHH", 65001, 65000, 0, 1) + bytes([192, 0, 2, 1, 192, 0, 2, 254])
    def record(typ, sub, body, ts=1700000000):
        return struct.pack(">IHHI", ts, typ, sub, len(body)) + body
    bgp4mp = record(16, 4, peer + msg)
    index = record(13, 1, bytes([192, 0, 2, 254]) + struct.pack(">H", 4) + b"test" +
                   struct.pack(">H", 1) + bytes([2, 192, 0, 2, 1, 192, 0, 2, 1]) +
                   struct.pack(">I", 65001))
    def rib(sub, prefix, a):
        return record(13, sub, struct.pack(">I", 0) + prefix + struct.pack(">H", 1) +
                      struct.pack(">HIH", 0, 1700000000, len(a)) + a)
    rib4 = rib(2, bytes([24, 198, 51, 100]), attrs)
    v6_nh = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
    attrs6 = attr(0x40, 1, b"\x00") + as_path + attr(0x80, 14, bytes([16]) + v6_nh)
    rib6 = rib(4, bytes([32, 0x20, 0x01, 0x0d, 0xb8]), attrs6)
    mrt_seeds(bgp4mp + index + rib4 + rib6)
    mrt_seeds(index + rib4 + rib6 + bgp4mp)

if src:
    picks = sorted(os.path.join(src, "mrtparse-samples", f)
                   for f in os.listdir(os.path.join(src, "mrtparse-samples")))
    picks += [os.path.join(src, p) for p in (
        "bgpdump-testdata/bview.ipv4_unicast_add_path.gz",
        "bgpdump-testdata/bview.ipv6_unicast_add_path.gz",
        "bgpdump-testdata/updates.20020722.2238.gz",
        "bgpdump-testdata/updates.et-header.2015.gz",
        "bgpdump-testdata/updates.long_withdrawal.gz",
        "bgpdump-testdata/updates.nlri_mask_trailing_bits.gz",
        "bgpkit-fixtures/rrc00-bview.20000111.0032.gz",
        "bgpkit-fixtures/rrc00-updates.19990903.1041.gz",
        "bgpkit-fixtures/rrc01-updates.20001104.0124.gz",
        "ixp-rs/185.186.nlix.mrt.gz",
        "pyasn/rib6.20151101.0600_firstMB.bz2",
    )]
    picks = [p for p in picks if os.path.isfile(p)]
    for p in picks:
        with opener(p) as f:
            try:
                data = f.read(1 << 20)
            except (EOFError, OSError):  # a cut-off archive: keep what came out
                data = b""
        mrt_seeds(data)
        if os.path.getsize(p) <= 16384 and p.endswith((".gz", ".bz2")):
            with open(p, "rb") as f:
                add("decompress_fuzz", f.read())
else:
    builtin()

# Directory listings and checksum lists: the committed inputs of
# fuzz/regressions/listing_fuzz (an nginx page, an MD5 list, a broken row)
# and an Apache table row.
for name in sorted(os.listdir("fuzz/regressions/listing_fuzz")):
    with open(os.path.join("fuzz/regressions/listing_fuzz", name), "rb") as f:
        add("listing_fuzz", f.read())
add("listing_fuzz", b'<tr><td valign="top"><a href="20240501.as-rel2.txt.bz2"><img src="/icons/c.gif"></a></td>'
                    b'<td><a href="20240501.as-rel2.txt.bz2">20240501.as-rel2.txt.bz2</a></td>'
                    b'<td align="right">2024-05-08 09:02  </td><td align="right">3.5M</td></tr>\n')

# VRP files: small built-in JSON and CSV, and slices of the real samples.
add("vrp_fuzz", b'{"roas":[{"asn":"AS64496","prefix":"192.0.2.0/24","maxLength":24,"ta":"x"},'
                b'{"asn":64497,"prefix":"2001:db8::/32","maxLength":48}]}')
add("vrp_fuzz", b"ASN,IP Prefix,Max Length,Trust Anchor\nAS64496,192.0.2.0/24,24,ripe\n"
                b"AS0,198.51.100.0/22,24,arin\n")
add("vrp_fuzz", b'{"aspas":[{"customer":64496,"providers":[64497,"AS64498"]}],'
                b'"provider_authorizations":{"ipv4":[{"customer_asid":64500,"providers":[64501]}]}}')
add("vrp_fuzz", b'{"slurmVersion":2,"validationOutputFilters":{"prefixFilters":[{"prefix":'
                b'"192.0.2.0/24","asn":64496}],"bgpsecFilters":[],"aspaFilters":[{"customerAsid":1}]},'
                b'"locallyAddedAssertions":{"prefixAssertions":[{"asn":64496,"prefix":"198.51.100.0/24",'
                b'"maxPrefixLength":24}],"bgpsecAssertions":[],"aspaAssertions":[{"customerAsid":2,'
                b'"providerSet":[3]}]}}')
rpki_dir = os.path.join(os.path.dirname(src), "rpki", "samples") if src else ""
if rpki_dir and os.path.isdir(rpki_dir):
    for f in sorted(os.listdir(rpki_dir)):
        with open(os.path.join(rpki_dir, f), "rb") as fh:
            data = fh.read()
        add("vrp_fuzz", data[:8192])
        if data.startswith(b"URI") or data.startswith(b"ASN"):
            add("vrp_fuzz", data[:2048])

# RPSL and ARIN-WHOIS: the first byte of each seed sets the reader's buffer
# size (16 + 7 x byte), so that objects split across reads are exercised.
add("rpsl_fuzz", b"\x00as-set: AS-A\nmembers: AS1, AS-B\n\nas-set: AS-B\nmembers: AS-A, AS2\n\n"
                 b"route: 192.0.2.0/24\norigin: AS1\nsource: X\n")
add("rpsl_fuzz", b"\x25route6: 2001:db8::/32\r\norigin: AS1 # c\r\n+\r\n\r\n"
                 b"route-set: RS-X\nmembers: 192.0.2.0/24^+,\n 198.51.100.0/22^24-26\n")
# whois queries (optional RPSL dump, a "%%" line, then query lines).
add("whois_query_fuzz", b"!!\n!gAS1\n!6AS2\n!iAS-A\n!iAS-A,1\n!aAS-A\n!a4AS-B\n!a6AS-A\n!a\n"
                        b"!s-lc\n!sX,Y\n!t30\n!v\n!nbgpq4\n-K -i origin AS1\n-s X AS-A\n192.0.2.0/24\n!q\n")
add("whois_query_fuzz", b"as-set: AS-C\nmembers: AS-A, AS3\nsource: Z\n\n%%\n!!\n!iAS-C,1\n!aAS-C\n")
# IXP members files (first byte: even = members file, odd = overrides).
add("ixp_members_fuzz", b"\x00clients:\n- asn: 42\n  ip: 193.178.185.27\n  cfg:\n    filtering:\n"
                        b"      irrdb:\n        as_sets: [AS-PCH]\n      max_prefix: {limit_ipv4: 600}\n")
add("ixp_members_fuzz", b"\x02{\"timestamp\":\"2017-11-24T17:32:01Z\",\"ixp_list\":[{\"ixp_id\":1}],"
                        b"\"member_list\":[{\"asnum\":64500,\"connection_list\":[{\"ixp_id\":1,"
                        b"\"vlan_list\":[{\"ipv4\":{\"address\":\"192.0.2.1\",\"as_macro\":\"AS-X\","
                        b"\"max_prefix\":5}}]}]}]}")
add("ixp_members_fuzz", b"\x01clients:\n- asn: 64500\n  cfg: {filtering: {irrdb: {as_sets: [AS-N]}}}\n"
                        b"- asn: 64502\n  ip: 192.0.2.1\n")
pdb_dir = os.path.join(os.path.dirname(src), "peeringdb") if src else ""
for sub in ("ixf/gr-ix.json", "ixp-rs-clients/gr-ix.yml"):
    f = os.path.join(pdb_dir, sub) if pdb_dir else ""
    if f and os.path.exists(f):
        with open(f, "rb") as fh:
            add("ixp_members_fuzz", b"\x00" + fh.read()[:60000])
irr_dir = os.path.join(os.path.dirname(src), "irr") if src else ""
if irr_dir and os.path.isdir(irr_dir):
    for sub in ("rpsl-fixtures", "ripe-db-sample"):
        d = os.path.join(irr_dir, sub)
        for f in sorted(os.listdir(d)):
            with open(os.path.join(d, f), "rb") as fh:
                data = fh.read()[:6000]
            for b in (b"\x00", b"\x25", b"\xff"):
                add("rpsl_fuzz", b + data)
            add("rpsl_fuzz", b"\x00" + data.replace(b"\n", b"\r\n"))
    arin = os.path.join(irr_dir, "arin-whois", "arin-whois-originas-20220925.json.bz2")
    if os.path.exists(arin):
        head = bz2.open(arin).read(3000)
        add("rpsl_fuzz", b"\x00" + head[:head.rfind(b"},") + 1] + b"]}}")  # whole records
        add("rpsl_fuzz", b"\x25" + head)                                     # cut mid-record

# Registry files: heads of the RIR delegated stats (and the LACNIC file's
# ipv6 and asn parts), the NRO sample, the IANA CSVs and Team Cymru's list.
reg_dir = os.path.join(os.path.dirname(src), "registry") if src else ""
if reg_dir and os.path.isdir(reg_dir):
    def lines_of(path, picks):
        with opener(path) as f:
            all_lines = f.read().split(b"\n")
        return b"\n".join(l for i, l in enumerate(all_lines) if any(a <= i < b for a, b in picks))
    d = os.path.join(reg_dir, "delegated")
    for f, picks in (("delegated-afrinic-extended-20230323.gz", [(0, 40)]),
                     ("delegated-lacnic-extended-20230323.gz", [(0, 30), (9029, 9040), (73229, 73240)]),
                     ("nro-extended-stats-sample-20160406.txt", [(0, 100)])):
        if os.path.exists(os.path.join(d, f)):
            add("delegated_fuzz", lines_of(os.path.join(d, f), picks))
    for f, n in (("iana/ipv4-address-space.csv", 30), ("iana/ipv6-unicast-address-assignments.csv", 20),
                 ("bogons/fullbogons-ipv4.txt", 30)):
        if os.path.exists(os.path.join(reg_dir, f)):
            add("delegated_fuzz", lines_of(os.path.join(reg_dir, f), [(0, n)]))
add("delegated_fuzz", b"2|lacnic|20230323|3|19870101|20230323|-0300\nlacnic|*|asn|*|1|summary\n"
                      b"lacnic|BR|asn|27648|1|20020117|allocated|1\n"
                      b"lacnic|UY|ipv4|200.7.84.0|512|20080125|assigned|35340\n"
                      b"lacnic||ipv6|2001:1200::|23|00000000|reserved\n")

# Prefix -> origin tables: a 34-byte header (flags: bit 0 the family of the
# range checked directly, bit 1 a non-zero ParsePlan base; the length of the
# plan spec at the end; two 16-byte addresses), then the table text, then the
# plan spec. Heads of the ip-location-db ASN CSVs and the pyasn files, and
# built-in snippets: unaligned and IPv6 ranges, bad lines, more bad lines
# than the problem cap keeps.
def pfx2as(text, plan=b"", flags=0, first=b"", last=b""):
    assert len(plan) < 256 and len(first) <= 16 and len(last) <= 16
    return bytes([flags, len(plan)]) + first.ljust(16, b"\0") + last.ljust(16, b"\0") + text + plan
v4_range = (bytes([192, 0, 2, 7]), bytes([198, 51, 100, 200]))
v6_range = (bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]), bytes([0x20, 0x01, 0x0d, 0xb8, 0, 1] + [0xff] * 10))
pyasn_text = (b"; IP-ASN32-DAT file\n; Prefixes-v4   : 3\n; \n1.0.0.0/24\t15169\n1.0.4.0/22\t56203\n"
              b"2001:db8::/32\t64496\n10.1.2.3/8\tAS65000\n")
csv_text = (b'1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n'
            b"1.0.128.0,1.0.196.255,23969,TOT Public Company Limited\n"
            b"2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n"
            b"2001:db8::1,2001:db8::ffff:fffe,AS64496,\r\n")
bad_text = (b"x\n1.2.3.4,1.2.3.0,1,backwards\n1.2.3.0,1.2.3.255,0,AS0\n1.2.3.0,::1,1,mixed\n"
            b"1.2.3.0/33\t1\n192.0.2.0/24\t4294967296\n# comment\n")
add("pfx2as_fuzz", pfx2as(pyasn_text, b"hijack=3,route_leak=2,flaps=0", 0, *v4_range))
add("pfx2as_fuzz", pfx2as(csv_text, b"sibling_moas=1,ddos_protection=2,customer_subprefix=3", 1, *v6_range))
add("pfx2as_fuzz", pfx2as(csv_text + pyasn_text + bad_text, b"none", 2, *v4_range))
add("pfx2as_fuzz", pfx2as(bad_text, b"bogon_prefix=100000,bogon_asn=1,rpki_invalid=7,hijack=1,hijack=2,", 3,
                          bytes(16), b"\xff" * 16))
add("pfx2as_fuzz", pfx2as(b"bad\n" * 1100, b"subprefix_hijack=100001", 2))
ipmeta_dir = os.path.join(os.path.dirname(src), "ipmeta") if src else ""
if ipmeta_dir and os.path.isdir(ipmeta_dir):
    for f, n, flags in (("ip-location-db/asn-ipv4.csv.xz", 60, 0), ("ip-location-db/asn-ipv6.csv.xz", 40, 1),
                        ("pyasn/ipasn_20140513.dat.gz", 60, 0), ("pyasn/ipasn6_20151101.dat.gz", 60, 1)):
        path = os.path.join(ipmeta_dir, f)
        if os.path.exists(path):
            with opener(path) as fh:
                head = b"".join(fh.readline() for _ in range(n))
            add("pfx2as_fuzz", pfx2as(head, b"flaps=5", flags, *(v6_range if flags else v4_range)))
    path = os.path.join(ipmeta_dir, "pyasn/ipasn6_20151101.dat.gz")
    if os.path.exists(path):  # its IPv6 part, after 606,138 IPv4 prefixes
        with opener(path) as fh:
            v6 = [l for l in fh if not l.startswith(b";") and b":" in l.split(b"\t")[0]][:40]
        add("pfx2as_fuzz", pfx2as(b"".join(v6), b"route_leak=4", 1, *v6_range))

# RTR sessions (RFC 8210 and version 2): the first octet is the version the
# client offers; then what a cache sends: a full set, a delta with ASPA
# changes, a cache reset, an error report and a duplicate announcement.
def pdu(v, t, s, b=b""): return struct.pack(">BBHI", v, t, s, 8 + len(b)) + b
def rtr_v4(v, a, p, l, m, asn): return pdu(v, 4, 0, struct.pack(">BBBB4sI", a, l, m, 0, bytes(p), asn))
def rtr_v6(v, a, p, l, m, asn):
    return pdu(v, 6, 0, struct.pack(">BBBB16sI", a, l, m, 0, bytes(p).ljust(16, b"\0"), asn))
def rtr_eod(v, s, n):
    return pdu(v, 7, s, struct.pack(">I", n) + (struct.pack(">III", 3600, 600, 7200) if v else b""))
def rtr_key(v, a, asn):
    return pdu(v, 9, a << 8, bytes(range(20)) + struct.pack(">I", asn) + b"\x30\x59\x30\x13")
def rtr_aspa(a, afi, c, ps):
    return pdu(2, 11, 0, struct.pack(">BBHI", a, afi, len(ps), c) + b"".join(struct.pack(">I", p) for p in ps))
def rtr_err(v, code, inner, text):
    return pdu(v, 10, code, struct.pack(">I", len(inner)) + inner + struct.pack(">I", len(text)) + text)
for v in (0, 1, 2):
    full = (pdu(v, 3, 7) + rtr_v4(v, 1, [192, 0, 2, 0], 24, 24, 64496) +
            rtr_v6(v, 1, [0x20, 1, 0xd, 0xb8], 32, 48, 64497))
    if v >= 1: full += rtr_key(v, 1, 64496)
    if v >= 2: full += rtr_aspa(1, 0, 64496, [64510, 64511]) + rtr_aspa(1, 1, 64496, [64512])
    full += rtr_eod(v, 7, 1)
    delta = pdu(v, 0, 7, struct.pack(">I", 2)) + pdu(v, 3, 7) + rtr_v4(v, 0, [192, 0, 2, 0], 24, 24, 64496)
    if v >= 2: delta += rtr_aspa(1, 0, 64496, [64520]) + rtr_aspa(0, 0, 64496, [64510, 64511])
    delta += rtr_eod(v, 7, 2) + pdu(v, 8, 0) + pdu(v, 3, 9) + rtr_eod(v, 9, 1)
    add("rtr_pdu_fuzz", bytes([v]) + full + delta)
    add("rtr_pdu_fuzz", bytes([v]) + rtr_err(v, 4, pdu(v, 2, 0), b"version\0"))
    add("rtr_pdu_fuzz", bytes([v + 3]) + pdu(v, 3, 7) + rtr_v4(v, 1, [10, 0, 0, 0], 8, 8, 1) * 2 +
        rtr_eod(v, 7, 1))
    # What a router sends the cache (rtr_server_fuzz): queries, a serial
    # query per serial of the fixture's history (session 7), an error.
    add("rtr_server_fuzz", pdu(v, 2, 0))
    add("rtr_server_fuzz", b"".join(pdu(v, 1, 7, struct.pack(">I", s))
                                    for s in (0xFFFFFFFE, 0xFFFFFFFF, 0, 1, 5)) + pdu(v, 2, 0))
    add("rtr_server_fuzz", pdu(v, 1, 8, struct.pack(">I", 1)) + rtr_err(v, 2, pdu(v, 2, 0), b"x"))

# The decompressor sees every format, whole and cut off.
plain = [seeds["mrt_reader_fuzz"][k] for k in sorted(seeds["mrt_reader_fuzz"])[:6]]
have_zstd = shutil.which("zstd") is not None
for data in plain:
    data = data[:8192]
    forms = [data, gzip.compress(data), bz2.compress(data), lzma.compress(data)]
    if have_zstd:
        forms.append(subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True,
                                    check=True).stdout)
    for form in forms:
        add("decompress_fuzz", form)
        add("decompress_fuzz", form[:len(form) * 2 // 3])
add("decompress_fuzz", gzip.compress(b"a") + gzip.compress(b"b"))  # two gzip members

# The scoring stage's CSVs: the real MANRS list's head, Spoofer sessions.
manrs_csv = os.path.join(os.path.dirname(src), "incidents", "manrs-participants", "manrs_isps.csv")
if os.path.exists(manrs_csv):
    head = open(manrs_csv, "rb").read(4000)
    add("extras_fuzz", b"\0" + head)
    add("extras_fuzz", b"\2" + head)
add("extras_fuzz", b"\0\xef\xbb\xbfOrganization Name,Areas,ASNs,Action 1\nCEDIA,EC,61468;27841,Yes\n\"Q, Inc\",CN;DE,AS1,No\n")
add("extras_fuzz", b"\1session,timestamp,asn4,client4,country,nat4,privaddr4,routable4\n"
    b"1,2026-11-21T00:00:00Z,64500,,BR,no,blocked,received\n2,x,64501;64502,,MX,yes,rewritten,blocked\n")

# BMP: the committed crafted sessions (fuzz/regressions/{bmp,pcap}_fuzz),
# the real captures of $VIGIA_SHARED_DATA/bmp as they are (pcap_fuzz), and
# their BMP messages cut out of the TCP payload towards port 1790, one per
# seed and all together, behind the chunking byte (bmp_fuzz).
for t in ("bmp_fuzz", "pcap_fuzz"):
    d = os.path.join("fuzz/regressions", t)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), "rb") as f:
            add(t, f.read())
bmp_dir = os.path.join(os.path.dirname(src), "bmp", "pmacct-test-automation") if src else ""
for name in sorted(os.listdir(bmp_dir)) if bmp_dir and os.path.isdir(bmp_dir) else []:
    with open(os.path.join(bmp_dir, name), "rb") as f:
        cap = f.read()
    add("pcap_fuzz", cap)
    if len(cap) < 24 or cap[:4] != b"\xd4\xc3\xb2\xa1":  # little-endian classic pcap only
        continue
    payload, at = b"", 24
    while at + 16 <= len(cap):  # Ethernet, IPv4, TCP, in capture order
        caplen = struct.unpack_from("<I", cap, at + 8)[0]
        pkt = cap[at + 16:at + 16 + caplen]
        at += 16 + caplen
        if len(pkt) < 54 or pkt[12:14] != b"\x08\x00" or pkt[23] != 6:
            continue
        ihl = (pkt[14] & 15) * 4
        tcp = pkt[14 + ihl:]
        if len(tcp) < 20 or struct.unpack_from(">H", tcp, 2)[0] != 1790:
            continue
        payload += tcp[(tcp[12] >> 4) * 4:]
    add("bmp_fuzz", b"\x00" + payload[:MAX_LEN - 1])
    add("bmp_fuzz", b"\x11" + payload[:MAX_LEN - 1])
    at = 0
    while at + 6 <= len(payload) and payload[at] == 3:
        n = struct.unpack_from(">I", payload, at + 1)[0]
        if n < 6:
            break
        add("bmp_fuzz", b"\x00" + payload[at:at + n])
        at += n

# Live feeds: the committed seeds (fuzz/regressions/{ris_live,websocket,
# bgp_capture}_fuzz), the real RIS Live JSON of $VIGIA_SHARED_DATA/mrt.
for t in ("ris_live_fuzz", "websocket_fuzz", "bgp_capture_fuzz"):
    d = os.path.join("fuzz/regressions", t)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), "rb") as f:
            add(t, f.read())
ris_json = os.path.join(src, "libbgpstream-testdata", "ris-live-stream.json") if src else ""
if ris_json and os.path.isfile(ris_json):
    with open(ris_json, "rb") as f:
        lines = f.read()
    add("ris_live_fuzz", lines)
    for line in lines.splitlines():
        add("ris_live_fuzz", line)
# `vigia watch` configs: the committed regressions (a full config, hostile ones).
d = os.path.join("fuzz/regressions", "watch_config_fuzz")
for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    with open(os.path.join(d, name), "rb") as f:
        add("watch_config_fuzz", f.read())

# The route feed reads the same bytes as the MRT reader: MRT files.
seeds["mrt_route_feed_fuzz"] = dict(seeds["mrt_reader_fuzz"])
# The live detector reads MRT too (through the route feed).
seeds["live_detector_fuzz"] = dict(seeds["mrt_reader_fuzz"])

for target, by_hash in seeds.items():
    os.makedirs(os.path.join(out, target), exist_ok=True)
    for h, data in by_hash.items():
        with open(os.path.join(out, target, h), "wb") as f:
            f.write(data)
print("fuzz: seeds: " + ", ".join(f"{t} {len(s)}" for t, s in seeds.items()))
PY

# ---------------------------------------------------------------- run
# The value of a libFuzzer final-stats line, e.g. stat_of log average_exec_per_sec.
stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
# What went wrong, from a crash log: the sanitizer's SUMMARY line (for an
# abort, the message the harness printed before it) and the three innermost
# stack frames in the project's own src/, which is where a fix would start.
verdict_of() {
  awk -v status="$2" '
    /ERROR: libFuzzer: deadly signal/ && !said { said = prev }
    /^SUMMARY: / && !summary { summary = substr($0, 10) }
    /^ +#[0-9]+ / { in_stack = 1 }
    /^ *$/ && in_stack { first_stack_done = 1 }  # what follows is where memory was allocated
    /^ +#[0-9]+ 0x[0-9a-f]+ in .* \/[^ ]*\/src\/[a-z_]+\/[a-z_]+\.(cc|h):[0-9]+/ && frames < 3 &&
        !first_stack_done {
      f = $0
      sub(/^ +#[0-9]+ 0x[0-9a-f]+ in /, "", f)
      where = f
      sub(/^.* \/[^ ]*\/src\//, "src/", where)
      sub(/:[0-9]+$/, "", where)  # the column
      gsub(/\(anonymous namespace\)::|vigia::/, "", f)
      sub(/\(.*$/, "", f)  # the parameter list
      stack = stack (frames++ ? " <- " : "") f " (" where ")"
    }
    { prev = $0 }
    END {
      v = summary != "" ? summary : "exit status " status
      if (v ~ /deadly signal/ && said != "") v = said
      sub(/ \/[^ ]*\/src\// , " src/", v)
      if (stack != "") v = v "; stack: " stack
      print v
    }' "$1"
}

passed=0
failed=0
new_crashes=0
summaries=()
for t in "${targets[@]}"; do
  bin="$build_dir/fuzz/$t"
  artifacts="$root/fuzz/artifacts/$t"
  corpus_dir="$work/$t"
  mkdir -p "$artifacts" "$corpus_dir" "$work/logs/$t"
  cp "$work/seeds/$t/"* "$corpus_dir/" 2>/dev/null || true
  problems=()

  # Every committed regression input, one process each, so that one crash
  # does not hide the next.
  replayed=0
  replay_failed=0
  shopt -s nullglob
  for input in "$root/fuzz/regressions/$t/"*; do
    replayed=$((replayed + 1))
    log="$work/logs/$t/replay-$(basename "$input").log"
    if ! "$bin" -rss_limit_mb=2048 -timeout=25 "$input" >"$log" 2>&1; then
      replay_failed=$((replay_failed + 1))
      cp "$log" "$artifacts/"
      problems+=("regression ${input#"$root"/} still crashes: $(verdict_of "$log" 1)")
    fi
  done
  shopt -u nullglob

  log="$work/logs/$t/fuzz.log"
  status=0
  started=$SECONDS
  "$bin" -max_len=65536 -rss_limit_mb=2048 -timeout=25 -max_total_time="$seconds" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus_dir" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  runs="$(stat_of "$log" number_of_executed_units)"
  rate="$(stat_of "$log" average_exec_per_sec)"
  corpus="$(find "$corpus_dir" -type f | wc -l)"
  seeds="$(find "$work/seeds/$t" -type f 2>/dev/null | wc -l || true)"  # 0: only committed regressions
  if [[ $status -ne 0 ]]; then
    artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
    cp "$log" "$artifacts/fuzz-$(date +%Y%m%d-%H%M%S).log"
    new_crashes=$((new_crashes + 1))
    problems+=("fuzzing crashed: $(verdict_of "$log" "$status"); input ${artifact#"$root"/}")
  fi

  line="$t: replayed $replayed regression input(s) ($replay_failed crashed);"
  line+=" ${runs:-?} runs in ${elapsed} s (${rate:-?} exec/s); corpus $seeds -> $corpus"
  if [[ ${#problems[@]} -eq 0 ]]; then
    passed=$((passed + 1))
    summaries+=("$line: ok")
  else
    failed=$((failed + 1))
    summaries+=("$line: FAILED")
    for p in "${problems[@]}"; do summaries+=("  $p"); done
  fi
done

printf '%s\n' "${summaries[@]}"
if [[ $new_crashes -gt 0 ]]; then
  echo "fuzz: commit each new crash as fuzz/regressions/<target>/crash-<sha1> (see fuzz/README.md)"
fi
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
