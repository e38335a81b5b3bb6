#!/usr/bin/env bash
# make-mirror.sh: builds a local mirror of the public archives `vigia update`
# reads, with exactly the URL layout its sources plan (src/acquire/sources/,
# docs/sources.md), from `vigia simulate` output (one small simulation per
# date, seeded by the date, so that every date scores differently) and, where
# a real file fits, from the shared data set (../shared/data: IANA's
# registries; the real AFRINIC and LACNIC delegated stats on 2023-03-23).
#
#   tests/acquire/make-mirror.sh MIRROR VIGIA DATE...
#   e.g. tests/acquire/make-mirror.sh /tmp/m build/release/vigia 2024-05-21 2024-05-22 2024-05-23
#
# MIRROR gets one directory per source; serve it with any static server
# that lists directories (nginx `autoindex on;`, python3 -m http.server) and
# point each source at its directory:
#
#   vigia update --date D --out SNAP --mirror ris=http://127.0.0.1:P/ris \
#     --mirror routeviews=http://127.0.0.1:P/routeviews ... (one per source)
#
#   ris/        rrc00/, rrc01/ YYYY.MM/{bview.YYYYMMDD.0000.gz, updates.YYYYMMDD.HHMM.gz x288}
#   routeviews/ bgpdata/YYYY.MM/{RIBS/rib.YYYYMMDD.0000.bz2, UPDATES/updates.YYYYMMDD.HHMM.bz2 x96}
#               (route-views2 only)
#   rpki/       ftp.ripe.net/rpki/{afrinic,apnic,arin,lacnic,ripencc}.tal/YYYY/MM/DD/
#               {output.json.xz, roas.csv.xz}; console.rpki-client.org/vrps.json
#   irr/        ftp.ripe.net/ripe/dbase/split/ripe.db.{route,route6,aut-num,as-set,route-set}.gz,
#               ftp.apnic.net/apnic/whois/apnic.db.{...}.gz, ftp.arin.net/pub/rr/arin.db.gz,
#               ftp.afrinic.net/pub/dbase/afrinic.db.gz, ftp.lacnic.net/lacnic/dbase/lacnic.db.gz,
#               ftp.radb.net/radb/dbase/radb.db.gz
#   rir-stats/  ftp.afrinic.net/stats/afrinic/YYYY/delegated-afrinic-extended-YYYYMMDD,
#               ftp.apnic.net/stats/apnic/YYYY/delegated-apnic-extended-YYYYMMDD.gz,
#               ftp.arin.net/pub/stats/arin/delegated-arin-extended-YYYYMMDD,
#               ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-YYYYMMDD,
#               ftp.ripe.net/pub/stats/ripencc/YYYY/delegated-ripencc-extended-YYYYMMDD.bz2,
#               each with FILE.md5 (the forms vary: bare, "hex  file", "MD5 (file) = hex"),
#               and delegated-RIR-extended-latest(.md5) in each RIR's top directory
#   iana/       assignments/ipv4-address-space/ipv4-address-space.csv,
#               assignments/ipv6-unicast-address-assignments/ipv6-unicast-address-assignments.csv
#   caida/      datasets/as-relationships/serial-1/YYYYMMDD.as-rel.txt.bz2,
#               datasets/as-relationships/serial-2/YYYYMMDD.as-rel2.txt.bz2,
#               datasets/as-organizations/YYYYMMDD.as-org2info.txt.gz
#   peeringdb/  publicdata.caida.org/datasets/peeringdb/YYYY/MM/peeringdb_2_dump_YYYY_MM_DD.json,
#               www.peeringdb.com/api/{net,org,ix,ixlan,ixpfx,netixlan}
#   manrs/      manrs_isps.csv          spoofer/  spoofer-sessions.csv
#
# What the real archives do not date (IRR dumps, IANA, the "latest" and live
# files, MANRS, Spoofer) is served once, from the last DATE. The MRT files
# cover whole days: simulated collectors sim00, sim01 and sim02 become RIS
# rrc00 and rrc01 and RouteViews route-views2, their day of updates cut at
# the record timestamps into the archives' 5- and 15-minute files (a quiet
# interval is an empty compressed file, as on the archives). Only the
# 00:00 RIB dumps exist, so windows start at 00:00; plan with
# `--collectors` rrc00,rrc01 and route-views2 (others answer 404).
#
# Takes ~1 s per date. Exit status: 0 built, 2 bad arguments or a failed step.
set -euo pipefail

die() {
  echo "make-mirror.sh: $*" >&2
  exit 2
}

case "${1:-}" in
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
esac
[ $# -ge 3 ] || die "usage: make-mirror.sh MIRROR VIGIA DATE... (see --help)"
mirror=$1
vigia=$2
shift 2
[ -x "$vigia" ] || die "$vigia: not an executable (build it: cmake --build --preset release --target vigia)"
for d in "$@"; do
  [[ $d =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "$d: not a date YYYY-MM-DD"
done
here="$(cd "$(dirname "$0")" && pwd)"
shared="${VIGIA_SHARED_DATA:-$here/../../../shared/data}"
mkdir -p "$mirror"
work="$(mktemp -d "${TMPDIR:-/tmp}/vigia-mirror.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for d in "$@"; do
  ymd=${d//-/}
  # The seed is the date: each date is a different synthetic Internet day.
  "$vigia" simulate --out "$work/$ymd" --ases 300 --prefixes 3000 --peers 6 --collectors 3 \
    --days 1 --date "$ymd" --seed "$ymd" --force >"$work/simulate.log" 2>&1 ||
    die "vigia simulate for $d failed: $(tail -3 "$work/simulate.log")"
done

python3 - "$mirror" "$work" "$shared" "$@" <<'PY'
import bz2, calendar, gzip, hashlib, json, lzma, os, shutil, struct, sys

mirror, work, shared = sys.argv[1], sys.argv[2], sys.argv[3]
dates = sorted(set(sys.argv[4:]))
made = {}  # source -> [files, bytes]


def put(source, rel, data):
    path = os.path.join(mirror, source, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    n = made.setdefault(source, [0, 0])
    n[0] += 1
    n[1] += len(data)
    return data


def gz(data):
    return gzip.compress(data, mtime=0)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def mrt_buckets(data, day, step):
    """MRT records (RFC 6396 §2: 12-byte header, length after it) by the
    interval of `step` seconds their timestamp falls in."""
    out = {t: bytearray() for t in range(day, day + 86400, step)}
    at = 0
    while at + 12 <= len(data):
        ts, _, _, length = struct.unpack_from(">IHHI", data, at)
        end = at + 12 + length
        t = min(max(ts, day), day + 86399)
        out[t - (t - day) % step] += data[at:end]
        at = end
    return out


def split_rpsl(text):
    """RPSL objects by class (the first attribute's name), with the dump's
    leading comment kept for each class file."""
    head, objects = [], {}
    for block in text.split("\n\n"):
        lines = [l for l in block.strip("\n").split("\n") if l]
        body = [l for l in lines if not l.startswith(("#", "%"))]
        if not body:
            head += lines
            continue
        cls = body[0].split(":", 1)[0].strip().lower()
        objects.setdefault(cls, []).append("\n".join(body))
    return "\n".join(head), objects


last = dates[-1].replace("-", "")
for date in dates:
    ymd = date.replace("-", "")
    y, m, d = ymd[:4], ymd[4:6], ymd[6:]
    snap = os.path.join(work, ymd)
    day = calendar.timegm((int(y), int(m), int(d), 0, 0, 0))
    is_last = ymd == last

    # MRT: sim00 -> RIS rrc00, sim01 -> rrc01, sim02 -> RouteViews route-views2.
    for sim, rrc in (("sim00", "rrc00"), ("sim01", "rrc01")):
        put("ris", f"{rrc}/{y}.{m}/bview.{ymd}.0000.gz",
            gz(read(f"{snap}/mrt/{sim}.bview.{ymd}.0000.gz")))
        for t, recs in mrt_buckets(read(f"{snap}/mrt/{sim}.updates.{ymd}.gz"), day, 300).items():
            hhmm = "%02d%02d" % divmod((t - day) // 60, 60)
            put("ris", f"{rrc}/{y}.{m}/updates.{ymd}.{hhmm}.gz", gz(bytes(recs)))
    put("routeviews", f"bgpdata/{y}.{m}/RIBS/rib.{ymd}.0000.bz2",
        bz2.compress(read(f"{snap}/mrt/sim02.bview.{ymd}.0000.gz")))
    for t, recs in mrt_buckets(read(f"{snap}/mrt/sim02.updates.{ymd}.gz"), day, 900).items():
        hhmm = "%02d%02d" % divmod((t - day) // 60, 60)
        put("routeviews", f"bgpdata/{y}.{m}/UPDATES/updates.{ymd}.{hhmm}.bz2",
            bz2.compress(bytes(recs)))

    # RPKI: the RIPE NCC archive per trust anchor, both file forms.
    vrps = json.loads(read(f"{snap}/rpki/vrps.json"))
    for ta in ("afrinic", "apnic", "arin", "lacnic", "ripencc"):
        roas = [r for r in vrps["roas"] if {"ripe": "ripencc"}.get(r.get("ta"), r.get("ta")) == ta]
        doc = {"metadata": {"generated": day, "generatedTime": f"{date}T00:00:00Z"}, "roas": roas}
        if ta == "ripencc":
            doc["aspas"] = vrps.get("aspas", [])
        base = f"ftp.ripe.net/rpki/{ta}.tal/{y}/{m}/{d}"
        put("rpki", f"{base}/output.json.xz",
            lzma.compress(json.dumps(doc).encode(), format=lzma.FORMAT_XZ))
        csv = ["URI,ASN,IP Prefix,Max Length,Not Before,Not After"]
        for i, r in enumerate(roas):
            asn = str(r["asn"])
            asn = asn if asn.startswith("AS") else "AS" + asn
            csv.append(f"rsync://rpki.{ta}.example/repo/{i}.roa,{asn},{r['prefix']},"
                       f"{r['maxLength']},{date} 00:00:00,{int(y) + 1}-{m}-{d} 00:00:00")
        put("rpki", f"{base}/roas.csv.xz",
            lzma.compress(("\n".join(csv) + "\n").encode(), format=lzma.FORMAT_XZ))
    if is_last:
        put("rpki", "console.rpki-client.org/vrps.json", read(f"{snap}/rpki/vrps.json"))

    # RIR statistics, each RIR's path and compression, with its .md5.
    rirs = {"afrinic": ("ftp.afrinic.net/stats/afrinic", True, ""),
            "apnic": ("ftp.apnic.net/stats/apnic", True, ".gz"),
            "arin": ("ftp.arin.net/pub/stats/arin", False, ""),
            "lacnic": ("ftp.lacnic.net/pub/stats/lacnic", False, ""),
            "ripencc": ("ftp.ripe.net/pub/stats/ripencc", True, ".bz2")}
    for rir, (top, yearly, suffix) in rirs.items():
        text = read(f"{snap}/registry/delegated-{rir}-extended-{ymd}")
        real = f"{shared}/registry/delegated/delegated-{rir}-extended-{ymd}.gz"
        if os.path.exists(real):  # the real file of that day (AFRINIC, LACNIC 2023-03-23)
            text = read(real)
        comp = {"": lambda b: b, ".gz": gz, ".bz2": bz2.compress}[suffix]
        dated = (f"{top}/{y}" if yearly else top) + f"/delegated-{rir}-extended-{ymd}{suffix}"
        published = [(dated, comp(text))]
        if is_last:
            published.append((f"{top}/delegated-{rir}-extended-latest", text))
        for rel, body in published:
            data = put("rir-stats", rel, body)
            name, md5 = os.path.basename(rel), hashlib.md5(data).hexdigest()
            form = {"afrinic": f"{md5}  {name}\n", "arin": f"{md5}\n"}.get(
                rir, f"MD5 ({name}) = {md5}\n")
            put("rir-stats", rel + ".md5", form.encode())

    # CAIDA topology: serial-2 as simulated, serial-1 without the source column.
    rel2 = read(f"{snap}/topology/{ymd}.as-rel2.txt")
    rel1 = b"\n".join(l if l.startswith(b"#") else b"|".join(l.split(b"|")[:3])
                      for l in rel2.split(b"\n"))
    put("caida", f"datasets/as-relationships/serial-2/{ymd}.as-rel2.txt.bz2", bz2.compress(rel2))
    put("caida", f"datasets/as-relationships/serial-1/{ymd}.as-rel.txt.bz2", bz2.compress(rel1))
    put("caida", f"datasets/as-organizations/{ymd}.as-org2info.txt.gz",
        gz(read(f"{snap}/topology/{ymd}.as-org2info.txt")))

    # PeeringDB: CAIDA's daily dump; the API tables for "today".
    dump = read(f"{snap}/peeringdb/peeringdb.json")
    put("peeringdb", f"publicdata.caida.org/datasets/peeringdb/{y}/{m}/"
        f"peeringdb_2_dump_{y}_{m}_{d}.json", dump)

    if not is_last:
        continue
    tables = json.loads(dump)
    for t in ("net", "org", "ix", "ixlan", "ixpfx", "netixlan"):
        put("peeringdb", f"www.peeringdb.com/api/{t}",
            json.dumps({"data": tables.get(t, {}).get("data", []), "meta": {}}).encode())

    # IRR (not archived): RIPE and APNIC split by class, the others whole.
    for irr, host_dir in (("ripe", "ftp.ripe.net/ripe/dbase/split"),
                          ("apnic", "ftp.apnic.net/apnic/whois")):
        head, objects = split_rpsl(read(f"{snap}/irr/{irr}.db.gz").decode())
        for cls in ("route", "route6", "aut-num", "as-set", "route-set"):
            text = head + "\n\n" + "\n\n".join(objects.get(cls, [])) + "\n"
            put("irr", f"{host_dir}/{irr}.db.{cls}.gz", gz(text.encode()))
    for irr, rel in (("arin", "ftp.arin.net/pub/rr"), ("afrinic", "ftp.afrinic.net/pub/dbase"),
                     ("lacnic", "ftp.lacnic.net/lacnic/dbase"), ("radb", "ftp.radb.net/radb/dbase")):
        with open(f"{snap}/irr/{irr}.db.gz", "rb") as f:
            put("irr", f"{rel}/{irr}.db.gz", f.read())

    # IANA (not archived): the real registries, when the shared data is here.
    for reg in ("ipv4-address-space", "ipv6-unicast-address-assignments"):
        src = f"{shared}/registry/iana/{reg}.csv"
        if os.path.exists(src):
            put("iana", f"assignments/{reg}/{reg}.csv", read(src))
        else:
            print(f"make-mirror.sh: {src} absent: iana/ left out", file=sys.stderr)

    put("manrs", "manrs_isps.csv", read(f"{snap}/extra/manrs_isps.csv"))
    put("spoofer", "spoofer-sessions.csv", read(f"{snap}/extra/spoofer-sessions.csv"))

for source in sorted(made):
    files, size = made[source]
    print(f"make-mirror.sh: {source}/: {files} files, {size} bytes")
print(f"make-mirror.sh: built {os.path.abspath(mirror)} for {', '.join(dates)}")
PY
