#include "bgp/encode.h"

#include <algorithm>

#include "core/byte_writer.h"

namespace vigia::bgp {

namespace {

// Writes one attribute: flags, type, length (extended when needed), body.
void Attr(std::vector<uint8_t>* o, uint8_t flags, uint8_t type, const std::vector<uint8_t>& body) {
  if (body.size() > 255) flags |= kFlagExtendedLength;
  Put8(o, flags);
  Put8(o, type);
  if (flags & kFlagExtendedLength) {
    Put16(o, static_cast<uint16_t>(body.size()));
  } else {
    Put8(o, static_cast<uint8_t>(body.size()));
  }
  o->insert(o->end(), body.begin(), body.end());
}

void NextHop(std::vector<uint8_t>* b, const MpReach& m) {
  uint8_t len = m.next_hop_length ? m.next_hop_length : (m.next_hop.is_v4() ? 4 : 16);
  Put8(b, len);
  PutAddr(b, m.next_hop);
  if (len == 32) PutAddr(b, m.next_hop_link_local);
}

}  // namespace

void EncodeNlri(const std::vector<NlriEntry>& list, bool add_path, std::vector<uint8_t>* out) {
  for (const NlriEntry& n : list) {
    if (add_path) Put32(out, n.path_id);
    Put8(out, n.prefix.length());
    const uint8_t* b = n.prefix.address().bytes();
    out->insert(out->end(), b, b + (n.prefix.length() + 7) / 8);
  }
}

void EncodeAttributes(const PathAttributes& a, const AttrContext& ctx, std::vector<uint8_t>* out) {
  std::vector<uint8_t> b;
  const uint8_t wk = kFlagTransitive;                      // well-known
  const uint8_t opt_t = kFlagOptional | kFlagTransitive;   // optional transitive
  const uint8_t opt_nt = kFlagOptional;                    // optional non-transitive
  if (a.Has(kAttrOrigin)) Attr(out, wk, kAttrOrigin, {a.origin});
  if (a.Has(kAttrAsPath)) {
    b.clear();
    size_t at = 0;
    for (const AsPath::Segment& s : a.as_path.segments) {
      // RFC 4271 §4.3: a segment holds at most 255 ASes; longer sequences
      // are split (sets cannot be, and are cut at 255).
      uint16_t left = s.count;
      do {
        const uint8_t n = static_cast<uint8_t>(std::min<uint16_t>(left, 255));
        Put8(&b, s.type);
        Put8(&b, n);
        for (uint16_t i = 0; i < n; ++i) {
          Asn asn = a.as_path.asns[at++];
          if (ctx.as_size == 4) {
            Put32(&b, asn);
          } else {
            // RFC 6793 §4.2.2: AS_TRANS stands for a 4-octet AS.
            Put16(&b, asn > 0xFFFF ? static_cast<uint16_t>(kAsTrans) : static_cast<uint16_t>(asn));
          }
        }
        left = static_cast<uint16_t>(left - n);
        if (s.type == kAsSet || s.type == kAsConfedSet) {
          at += left;
          left = 0;
        }
      } while (left > 0);
    }
    Attr(out, wk, kAttrAsPath, b);
  }
  if (a.Has(kAttrNextHop)) {
    b.clear();
    PutAddr(&b, a.next_hop);
    Attr(out, wk, kAttrNextHop, b);
  }
  if (a.Has(kAttrMed)) {
    b.clear();
    Put32(&b, a.med);
    Attr(out, opt_nt, kAttrMed, b);
  }
  if (a.Has(kAttrLocalPref)) {
    b.clear();
    Put32(&b, a.local_pref);
    Attr(out, wk, kAttrLocalPref, b);
  }
  if (a.Has(kAttrAtomicAggregate)) Attr(out, wk, kAttrAtomicAggregate, {});
  if (a.Has(kAttrAggregator)) {
    b.clear();
    if (ctx.as_size == 4) {
      Put32(&b, a.aggregator_as);
    } else {
      // RFC 6793 §4.2.2.
      Put16(&b, a.aggregator_as > 0xFFFF ? static_cast<uint16_t>(kAsTrans)
                                         : static_cast<uint16_t>(a.aggregator_as));
    }
    PutAddr(&b, a.aggregator_addr);
    Attr(out, opt_t, kAttrAggregator, b);
  }
  if (a.Has(kAttrCommunities)) {
    b.clear();
    for (uint32_t c : a.communities) Put32(&b, c);
    Attr(out, opt_t, kAttrCommunities, b);
  }
  if (a.Has(kAttrOriginatorId)) {
    b.clear();
    PutAddr(&b, a.originator_id);
    Attr(out, opt_nt, kAttrOriginatorId, b);
  }
  if (a.Has(kAttrClusterList)) {
    b.clear();
    for (uint32_t c : a.cluster_list) Put32(&b, c);
    Attr(out, opt_nt, kAttrClusterList, b);
  }
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    const MpReach& m = a.mp_reach[i];
    b.clear();
    if (ctx.mrt_rib) {
      NextHop(&b, m);  // RFC 6396 §4.3.4
    } else {
      Put16(&b, m.afi);
      Put8(&b, m.safi);
      NextHop(&b, m);
      Put8(&b, 0);  // reserved
      EncodeNlri(m.nlri, ctx.add_path, &b);
    }
    Attr(out, opt_nt, kAttrMpReach, b);
  }
  for (size_t i = 0; i < a.mp_unreach_count; ++i) {
    const MpUnreach& m = a.mp_unreach[i];
    b.clear();
    Put16(&b, m.afi);
    Put8(&b, m.safi);
    EncodeNlri(m.nlri, ctx.add_path, &b);
    Attr(out, opt_nt, kAttrMpUnreach, b);
  }
  if (a.Has(kAttrExtCommunities)) {
    b.clear();
    for (uint64_t c : a.ext_communities) {
      Put32(&b, static_cast<uint32_t>(c >> 32));
      Put32(&b, static_cast<uint32_t>(c));
    }
    Attr(out, opt_t, kAttrExtCommunities, b);
  }
  if (a.Has(kAttrLargeCommunities)) {
    b.clear();
    for (const LargeCommunity& c : a.large_communities) {
      Put32(&b, c.global_admin);
      Put32(&b, c.local1);
      Put32(&b, c.local2);
    }
    Attr(out, opt_t, kAttrLargeCommunities, b);
  }
  if (a.Has(kAttrOtc)) {
    b.clear();
    Put32(&b, a.otc);
    Attr(out, opt_t, kAttrOtc, b);
  }
  for (const RawAttribute& r : a.unknown) {
    Attr(out, r.flags & ~kFlagExtendedLength, r.type,
         std::vector<uint8_t>(r.data.begin(), r.data.end()));
  }
}

void EncodeUpdate(const Update& u, const AttrContext& ctx, std::vector<uint8_t>* out) {
  const size_t start = out->size();
  out->insert(out->end(), 16, 0xFF);
  Put16(out, 0);  // length, patched below
  Put8(out, kMsgUpdate);
  std::vector<uint8_t> part;
  EncodeNlri(u.withdrawn, ctx.add_path, &part);
  Put16(out, static_cast<uint16_t>(part.size()));
  out->insert(out->end(), part.begin(), part.end());
  part.clear();
  AttrContext c = ctx;
  c.mrt_rib = false;
  EncodeAttributes(u.attrs, c, &part);
  Put16(out, static_cast<uint16_t>(part.size()));
  out->insert(out->end(), part.begin(), part.end());
  EncodeNlri(u.nlri, ctx.add_path, out);
  const size_t len = out->size() - start;
  (*out)[start + 16] = static_cast<uint8_t>(len >> 8);
  (*out)[start + 17] = static_cast<uint8_t>(len);
}

}  // namespace vigia::bgp
