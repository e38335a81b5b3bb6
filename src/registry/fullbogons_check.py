#!/usr/bin/env python3
"""Independent check of the figures in docs/bogons.md.

Recomputes, without Vigía's code, the address-level agreement between the
bogons Vigía derives and Team Cymru's fullbogons inside the regions where RIR
data is loaded (the IANA blocks whose WHOIS server is whois.lacnic.net or
whois.afrinic.net). Inside those regions no special-purpose or IANA-reserved
block applies, and space no file lists is not a bogon (it may have moved to
another RIR, whose file is absent), so "our" bogons there are: the region
intersected with the available/reserved records, minus every
allocated/assigned record.

Usage: python3 src/registry/fullbogons_check.py ../shared/data/registry
Prints one line per (region, family): region-size both only-ours only-theirs.
"""
import csv
import gzip
import ipaddress
import sys


def open_text(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rt") if magic == b"\x1f\x8b" else open(path)


def merge(iv):
    out = []
    for a, b in sorted(iv):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def size(iv):
    return sum(b - a + 1 for a, b in iv)


def intersect(x, y):
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if lo <= hi:
            out.append([lo, hi])
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(x, y):
    # x - y = x ∩ complement(y), both merged.
    comp, cur = [], 0
    for a, b in y:
        if a > cur:
            comp.append([cur, a - 1])
        cur = b + 1
    comp.append([cur, 2**128])
    return intersect(x, comp)


def net(text):
    n = ipaddress.ip_network(text, strict=True)
    return [int(n.network_address), int(n.broadcast_address)]


def main(root):
    regions = {}  # (rir, fam) -> intervals
    for name, fam in (("ipv4-address-space.csv", 4), ("ipv6-unicast-address-assignments.csv", 6)):
        rows = list(csv.reader(open(f"{root}/iana/{name}")))[1:]
        for r in rows:
            rir = {"whois.lacnic.net": "lacnic", "whois.afrinic.net": "afrinic"}.get(r[3])
            if not rir or not (r[5].startswith("ALLOCATED") or r[5].startswith("LEGACY")):
                continue
            p = r[0]
            if fam == 4:
                p = f"{int(p.split('/')[0])}.0.0.0/8"
            regions.setdefault((rir, fam), []).append(net(p))
    delegated = {4: [], 6: []}
    pool = {4: [], 6: []}
    for f in ("delegated-lacnic-extended-20230323.gz", "delegated-afrinic-extended-20230323.gz"):
        for line in open_text(f"{root}/delegated/{f}"):
            x = line.rstrip("\n").split("|")
            if len(x) < 7 or x[1] == "*" or line[0] in "#0123456789":
                continue
            into = delegated if x[6] in ("allocated", "assigned") else pool
            if x[2] == "ipv4":
                a = int(ipaddress.IPv4Address(x[3]))
                into[4].append([a, a + int(x[4]) - 1])
            elif x[2] == "ipv6":
                into[6].append(net(f"{x[3]}/{x[4]}"))
    cymru = {4: [], 6: []}
    for f, fam in (("fullbogons-ipv4.txt", 4), ("fullbogons-ipv6.txt.gz", 6)):
        for line in open_text(f"{root}/bogons/{f}"):
            line = line.strip()
            if line and not line.startswith("#"):
                cymru[fam].append(net(line))
    for fam in (4, 6):
        delegated[fam], cymru[fam] = merge(delegated[fam]), merge(cymru[fam])
        pool[fam] = merge(pool[fam])
    for (rir, fam), reg in sorted(regions.items()):
        reg = merge(reg)
        ours = subtract(intersect(reg, pool[fam]), delegated[fam])
        theirs = intersect(reg, cymru[fam])
        both = size(intersect(ours, theirs))
        print(rir, f"ipv{fam}", size(reg), both, size(ours) - both, size(theirs) - both)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/registry")
