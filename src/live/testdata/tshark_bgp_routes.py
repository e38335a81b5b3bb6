#!/usr/bin/env python3
"""Routes of the BGP UPDATEs in tshark's text dissection (tshark -V), one per line.

Reads `tshark -r F -V` on stdin (a raw BGP session, or BMP with the UPDATEs inside) and
prints, per NLRI of an MP_REACH_NLRI / MP_UNREACH_NLRI block, tab-separated:
  kind (A announce, W withdraw, ? an NLRI tshark printed without a prefix)
  afi  safi  rd (tshark's text, "-" none)  prefix/len  next hop ("-")  AS path
Labeled NLRI (SAFI 4, 128) come in two forms: a "BGP Prefix" block with Prefix Length,
Label Stack, Route Distinguisher and the prefix; or one line
"Label Stack=L (bottom) RD=R, IPv6=P/len" (its sub-lines repeat it and are skipped).
The C++ test (bgp_capture_test.cc) normalises addresses and compares.
"""
import re
import sys

out = []
cur = None      # the UPDATE being read: {"path": str, "blocks": [...]}
block = None    # the MP block being read
entry = None    # a "BGP Prefix" entry being read
one_indent = None


def finish():
    global cur
    if cur is None:
        return
    for b in cur["blocks"]:
        for (kind, rd, prefix) in b["nlri"]:
            kind = kind if kind == "?" else ("A" if b["reach"] else "W")
            out.append("\t".join([kind, b["afi"], b["safi"], rd or "-", prefix,
                                  b["nh"] if b["reach"] else "-",
                                  cur["path"] if b["reach"] else "-"]))
    cur = None


for raw in sys.stdin:
    line = raw.rstrip("\n")
    indent = len(line) - len(line.lstrip(" "))
    t = line.strip()
    if one_indent is not None:
        if indent > one_indent:
            continue
        one_indent = None
    if t.startswith("Border Gateway Protocol - ") or t.startswith("Frame ") or \
            t.startswith("BGP Monitoring Protocol"):
        finish()
        block = None
        if t == "Border Gateway Protocol - UPDATE Message":
            cur = {"path": "", "blocks": []}
        continue
    if cur is None:
        continue
    m = re.match(r"Path Attribute - (\S+)(?:: (.*))?$", t)
    if m and indent <= 8 + 4:
        name = m.group(1)
        if name == "AS_PATH":
            p = (m.group(2) or "").strip()
            p = re.sub(r"\{([^}]*)\}", lambda s: "{" + ",".join(s.group(1).split()) + "}", p)
            cur["path"] = " ".join(p.split())
        if name in ("MP_REACH_NLRI", "MP_UNREACH_NLRI"):
            block = {"reach": name == "MP_REACH_NLRI", "afi": "?", "safi": "?", "nh": "-",
                     "nlri": []}
            cur["blocks"].append(block)
        else:
            block = None
        continue
    if block is None:
        continue
    m = re.match(r"Address family identifier \(AFI\): .*\((\d+)\)$", t)
    if m:
        block["afi"] = m.group(1)
        continue
    m = re.match(r"Subsequent address family identifier \(SAFI\): .*\((\d+)\)$", t)
    if m:
        block["safi"] = m.group(1)
        continue
    m = re.match(r"Next hop: +(?:RD=\S+ IPv[46]=)?(\S+)$", t)
    if m and block["nh"] == "-":
        block["nh"] = m.group(1)
        continue
    m = re.match(r"Label Stack=([\d ]+?)(?: \(bottom\))?(?: RD=([^,]+))?,? IPv[46]=(\S+/\d+)$", t)
    if m:
        block["nlri"].append(("", m.group(2), m.group(3)))
        one_indent = indent
        continue
    if re.match(r"^\d+( \d+)* \(bottom\)$", t) or re.match(r"^\d+ \(withdrawn\)$", t):
        block["nlri"].append(("?", None, "-"))
        continue
    if t == "BGP Prefix":
        entry = {"len": None, "labels": 0, "rd": None}
        continue
    if entry is not None:
        m = re.match(r"(?:MP (?:Un)?[Rr]each NLRI )?Prefix [Ll]ength: (\d+)$", t)
        if m:
            entry["len"] = int(m.group(1))
            continue
        m = re.match(r"(?:MP (?:Un)?[Rr]each NLRI )?Label Stack: ([\d ]+)", t)
        if m:
            entry["labels"] = len(m.group(1).split())
            continue
        m = re.match(r"Route Distinguisher: (\S+)$", t)
        if m:
            entry["rd"] = m.group(1)
            continue
        m = re.match(r"MP (?:Un)?[Rr]each NLRI IPv[46] prefix: (\S+)$", t)
        if m:
            bits = (entry["len"] or 0) - 24 * entry["labels"] - (64 if entry["rd"] else 0)
            block["nlri"].append(("", entry["rd"], "%s/%d" % (m.group(1), bits)))
            entry = None
            continue
finish()
print("\n".join(out))
