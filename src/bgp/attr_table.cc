#include "bgp/attr_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "bgp/encode.h"
#include "core/byte_reader.h"
#include "core/byte_writer.h"

namespace vigia::bgp {

namespace {

constexpr uint8_t kWellKnown = kFlagTransitive;
constexpr uint8_t kOptTrans = kFlagOptional | kFlagTransitive;
constexpr uint8_t kOptNonTrans = kFlagOptional;

Status LengthError(const char* name, size_t got, const char* want) {
  return Status::Corrupt(
      fmt::format("RFC 7606 §7: {} has length {}, expected {}", name, got, want));
}

// Error plumbing of the decode functions: they return true, or false with
// the reason in *err, so that the common case builds no Status.
bool Fail(Status* err, Status s) {
  *err = std::move(s);
  return false;
}
bool Check(Status* err, Status s) { return s.ok() || Fail(err, std::move(s)); }

// RFC 4271 §4.3 (AS_PATH): a sequence of <type, count, ASNs> segments.
bool DecodeAsPath(std::span<const uint8_t> body, int as_size, AsPath* path, Status* err) {
  path->Clear();
  ByteReader r(body);
  while (!r.empty()) {
    uint8_t type, count;
    if (!r.U8(&type) || !r.U8(&count)) {
      path->malformed = true;
      return Fail(err, Status::Corrupt("RFC 4271 §4.3: AS_PATH segment header truncated"));
    }
    if (type < kAsSet || type > kAsConfedSet) {
      path->malformed = true;
      return Fail(err, Status::Corrupt(
                           fmt::format("RFC 4271 §4.3: AS_PATH segment type {} is invalid", type)));
    }
    if (r.remaining() < size_t{count} * as_size) {
      path->malformed = true;
      return Fail(
          err,
          Status::Corrupt(fmt::format(
              "RFC 4271 §4.3: AS_PATH segment of {} ASNs overflows the attribute ({} bytes left)",
              count, r.remaining())));
    }
    if (path->asns.size() + count > kMaxAsPathAsns) {
      path->malformed = true;
      return Fail(err, Status::LimitExceeded(fmt::format(
                           "AS_PATH longer than {} ASNs (cap kMaxAsPathAsns)", kMaxAsPathAsns)));
    }
    path->segments.push_back({type, count});
    for (int i = 0; i < count; ++i) {
      uint32_t asn = 0;
      (void)r.Asn(as_size, &asn);
      path->asns.push_back(asn);
    }
  }
  return true;
}

// A 4-octet value into *out when the body is exactly 4 octets.
bool Fixed32(const char* name, std::span<const uint8_t> body, uint32_t* out, Status* err) {
  if (body.size() != 4) return Fail(err, LengthError(name, body.size(), "4"));
  ByteReader r(body);
  (void)r.U32(out);
  return true;
}

// A list of n-octet items; RFC 7606 §7.8, §7.10, §7.14 and RFC 8092 §5
// make an empty list malformed as well as a ragged one.
bool ListLength(const char* name, size_t n, size_t item, const char* want, Status* err) {
  if (n == 0 || n % item) return Fail(err, LengthError(name, n, want));
  return true;
}

// A non-empty list of 4-octet values (COMMUNITIES, CLUSTER_LIST).
bool U32List(const char* name, std::span<const uint8_t> body, std::vector<uint32_t>* out,
             Status* err) {
  if (!ListLength(name, body.size(), 4, "a non-zero multiple of 4", err)) return false;
  ByteReader r(body);
  for (size_t i = 0; i < body.size() / 4; ++i) {
    uint32_t v = 0;
    (void)r.U32(&v);
    out->push_back(v);
  }
  return true;
}

void PutU32List(uint8_t flags, uint8_t type, const std::vector<uint32_t>& list,
                std::vector<uint8_t>* out) {
  std::vector<uint8_t> b;
  for (uint32_t v : list) Put32(&b, v);
  AppendAttribute(flags, type, b, out);
}

void PutU32Attr(uint8_t flags, uint8_t type, uint32_t v, std::vector<uint8_t>* out) {
  std::vector<uint8_t> b;
  Put32(&b, v);
  AppendAttribute(flags, type, b, out);
}

void PutNextHop(std::vector<uint8_t>* b, const MpReach& m) {
  const bool vpn = m.safi == kSafiMplsVpn;
  uint8_t len =
      m.next_hop_length ? m.next_hop_length : (m.next_hop.is_v4() ? 4 : 16) + (vpn ? 8 : 0);
  Put8(b, len);
  // RFC 4364 §4.3.2: a VPN next hop's RD is zero.
  const bool rd = vpn && (len == 12 || len == 24 || len == 48);
  if (rd) b->insert(b->end(), 8, 0);
  PutAddr(b, m.next_hop);
  if (len == 32) PutAddr(b, m.next_hop_link_local);
  if (rd && len == 48) {
    b->insert(b->end(), 8, 0);
    PutAddr(b, m.next_hop_link_local);
  }
}

// The NLRI of an MP block in the encoding its SAFI uses.
void PutMpNlri(uint8_t safi, const std::vector<NlriEntry>& list, bool add_path,
               std::vector<uint8_t>* out) {
  if (IsLabeledSafi(safi)) {
    EncodeLabeledNlri(list, safi == kSafiMplsVpn, add_path, out);
  } else {
    EncodeNlri(list, add_path, out);
  }
}

}  // namespace

// The decode and encode function of each row; a friend of PathAttributes.
struct AttrCodec {
  using Body = std::span<const uint8_t>;
  using Out = std::vector<uint8_t>;

  // RFC 4271 §5.1.1; RFC 7606 §7.1: a length other than 1 or an undefined
  // value is malformed.
  static bool Origin(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (b.size() != 1) return Fail(err, LengthError("ORIGIN", b.size(), "1"));
    if (b[0] > 2) {
      return Fail(
          err, Status::Corrupt(fmt::format("RFC 7606 §7.1: ORIGIN value {} is undefined", b[0])));
    }
    a.origin = b[0];
    return true;
  }
  static void EncOrigin(const PathAttributes& a, const AttrContext&, Out* o) {
    const uint8_t v[1] = {a.origin};
    AppendAttribute(kWellKnown, kAttrOrigin, v, o);
  }

  // RFC 7606 §7.2: a malformed AS_PATH is treat-as-withdraw.
  static bool Path(PathAttributes& a, Body b, const AttrContext& ctx, Status* err) {
    return DecodeAsPath(b, ctx.as_size, &a.as_path, err);
  }
  static void EncPath(const PathAttributes& a, const AttrContext& ctx, Out* o) {
    Out b;
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
    AppendAttribute(kWellKnown, kAttrAsPath, b, o);
  }

  // RFC 7606 §7.3.
  static bool NextHop(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (b.size() != 4) return Fail(err, LengthError("NEXT_HOP", b.size(), "4"));
    a.next_hop = IpAddress::FromBytes(Family::kIpv4, b.data());
    return true;
  }
  static void EncNextHop(const PathAttributes& a, const AttrContext&, Out* o) {
    Out b;
    PutAddr(&b, a.next_hop);
    AppendAttribute(kWellKnown, kAttrNextHop, b, o);
  }

  // RFC 7606 §7.4.
  static bool Med(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    return Fixed32("MULTI_EXIT_DISC", b, &a.med, err);
  }
  static void EncMed(const PathAttributes& a, const AttrContext&, Out* o) {
    PutU32Attr(kOptNonTrans, kAttrMed, a.med, o);
  }

  // RFC 7606 §7.5.
  static bool LocalPref(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    return Fixed32("LOCAL_PREF", b, &a.local_pref, err);
  }
  static void EncLocalPref(const PathAttributes& a, const AttrContext&, Out* o) {
    PutU32Attr(kWellKnown, kAttrLocalPref, a.local_pref, o);
  }

  // RFC 7606 §7.6: a length other than 0 is malformed; attribute discard.
  static bool Atomic(PathAttributes&, Body b, const AttrContext&, Status* err) {
    if (!b.empty()) return Fail(err, LengthError("ATOMIC_AGGREGATE", b.size(), "0"));
    return true;
  }
  static void EncAtomic(const PathAttributes&, const AttrContext&, Out* o) {
    AppendAttribute(kWellKnown, kAttrAtomicAggregate, {}, o);
  }

  // RFC 7606 §7.7: attribute discard. The length tells the AS width; some
  // speakers send 4-octet AGGREGATORs where the session (or MRT subtype)
  // says 2, and the other way round (RFC 6793 §4.1 leaves it to the
  // sender), so both lengths are accepted in either context.
  static bool Aggregator(PathAttributes& a, Body b, const AttrContext& ctx, Status* err) {
    const size_t n = b.size();
    if (n != 6 && n != 8)
      return Fail(err, LengthError("AGGREGATOR", n, ctx.as_size == 4 ? "8" : "6"));
    ByteReader r(b);
    (void)r.Asn(n == 8 ? 4 : 2, &a.aggregator_as);
    a.aggregator_addr = IpAddress::FromBytes(Family::kIpv4, r.current());
    return true;
  }
  static void EncAggregator(const PathAttributes& a, const AttrContext& ctx, Out* o) {
    Out b;
    if (ctx.as_size == 4) {
      Put32(&b, a.aggregator_as);
    } else {
      // RFC 6793 §4.2.2.
      Put16(&b, a.aggregator_as > 0xFFFF ? static_cast<uint16_t>(kAsTrans)
                                         : static_cast<uint16_t>(a.aggregator_as));
    }
    PutAddr(&b, a.aggregator_addr);
    AppendAttribute(kOptTrans, kAttrAggregator, b, o);
  }

  // RFC 1997; RFC 7606 §7.8.
  static bool Communities(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    return U32List("COMMUNITIES", b, &a.communities, err);
  }
  static void EncCommunities(const PathAttributes& a, const AttrContext&, Out* o) {
    PutU32List(kOptTrans, kAttrCommunities, a.communities, o);
  }

  // RFC 4456; RFC 7606 §7.9.
  static bool OriginatorId(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (b.size() != 4) return Fail(err, LengthError("ORIGINATOR_ID", b.size(), "4"));
    a.originator_id = IpAddress::FromBytes(Family::kIpv4, b.data());
    return true;
  }
  static void EncOriginatorId(const PathAttributes& a, const AttrContext&, Out* o) {
    Out b;
    PutAddr(&b, a.originator_id);
    AppendAttribute(kOptNonTrans, kAttrOriginatorId, b, o);
  }

  // RFC 4456; RFC 7606 §7.10.
  static bool ClusterList(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    return U32List("CLUSTER_LIST", b, &a.cluster_list, err);
  }
  static void EncClusterList(const PathAttributes& a, const AttrContext&, Out* o) {
    PutU32List(kOptNonTrans, kAttrClusterList, a.cluster_list, o);
  }

  // RFC 4760 §3, RFC 6396 §4.3.4; RFC 7606 §7.11.
  static bool MpReach(PathAttributes& a, Body b, const AttrContext& ctx, Status* err) {
    return Check(err, a.DecodeMpReach(b, ctx));
  }
  static void EncMpReach(const PathAttributes& a, const AttrContext& ctx, Out* o) {
    for (size_t i = 0; i < a.mp_reach_count; ++i) {
      const bgp::MpReach& m = a.mp_reach[i];
      Out b;
      if (ctx.mrt_rib) {
        PutNextHop(&b, m);  // RFC 6396 §4.3.4
      } else {
        Put16(&b, m.afi);
        Put8(&b, m.safi);
        PutNextHop(&b, m);
        Put8(&b, 0);  // reserved
        PutMpNlri(m.safi, m.nlri, ctx.add_path, &b);
      }
      AppendAttribute(kOptNonTrans, kAttrMpReach, b, o);
    }
  }

  // RFC 4760 §4; RFC 7606 §7.12.
  static bool MpUnreach(PathAttributes& a, Body b, const AttrContext& ctx, Status* err) {
    return Check(err, a.DecodeMpUnreach(b, ctx));
  }
  static void EncMpUnreach(const PathAttributes& a, const AttrContext& ctx, Out* o) {
    for (size_t i = 0; i < a.mp_unreach_count; ++i) {
      const bgp::MpUnreach& m = a.mp_unreach[i];
      Out b;
      Put16(&b, m.afi);
      Put8(&b, m.safi);
      PutMpNlri(m.safi, m.nlri, ctx.add_path, &b);
      AppendAttribute(kOptNonTrans, kAttrMpUnreach, b, o);
    }
  }

  // RFC 4360; RFC 7606 §7.14.
  static bool ExtCommunities(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (!ListLength("EXTENDED_COMMUNITIES", b.size(), 8, "a non-zero multiple of 8", err))
      return false;
    ByteReader r(b);
    for (size_t i = 0; i < b.size() / 8; ++i) {
      uint32_t hi = 0, lo = 0;
      (void)r.U32(&hi);
      (void)r.U32(&lo);
      a.ext_communities.push_back((uint64_t{hi} << 32) | lo);
    }
    return true;
  }
  static void EncExtCommunities(const PathAttributes& a, const AttrContext&, Out* o) {
    Out b;
    for (uint64_t c : a.ext_communities) {
      Put32(&b, static_cast<uint32_t>(c >> 32));
      Put32(&b, static_cast<uint32_t>(c));
    }
    AppendAttribute(kOptTrans, kAttrExtCommunities, b, o);
  }

  // RFC 6793 §6: a malformed AS4_PATH is discarded (the AS_PATH stands).
  static bool As4Path(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (DecodeAsPath(b, 4, &a.as4_path, err)) return true;
    a.as4_path.Clear();
    return false;
  }

  // RFC 6793 §6: a malformed AS4_AGGREGATOR is discarded.
  static bool As4Aggregator(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (b.size() != 8) return Fail(err, LengthError("AS4_AGGREGATOR", b.size(), "8"));
    ByteReader r(b);
    (void)r.U32(&a.as4_aggregator_as_);
    a.as4_aggregator_addr_ = IpAddress::FromBytes(Family::kIpv4, r.current());
    return true;
  }

  // RFC 8092 §5: length not a non-zero multiple of 12 is treat-as-withdraw.
  static bool Large(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    if (!ListLength("LARGE_COMMUNITIES", b.size(), 12, "a non-zero multiple of 12", err))
      return false;
    ByteReader r(b);
    for (size_t i = 0; i < b.size() / 12; ++i) {
      LargeCommunity c{};
      (void)r.U32(&c.global_admin);
      (void)r.U32(&c.local1);
      (void)r.U32(&c.local2);
      a.large_communities.push_back(c);
    }
    return true;
  }
  static void EncLarge(const PathAttributes& a, const AttrContext&, Out* o) {
    Out b;
    for (const LargeCommunity& c : a.large_communities) {
      Put32(&b, c.global_admin);
      Put32(&b, c.local1);
      Put32(&b, c.local2);
    }
    AppendAttribute(kOptTrans, kAttrLargeCommunities, b, o);
  }

  // RFC 9234 §5: a length other than 4 is treat-as-withdraw.
  static bool Otc(PathAttributes& a, Body b, const AttrContext&, Status* err) {
    return Fixed32("OTC", b, &a.otc, err);
  }
  static void EncOtc(const PathAttributes& a, const AttrContext&, Out* o) {
    PutU32Attr(kOptTrans, kAttrOtc, a.otc, o);
  }
};

namespace {

using A = AttrAction;
using C = AttrCodec;

// AS4_PATH and AS4_AGGREGATOR are folded into AS_PATH and AGGREGATOR by
// the RFC 6793 merge and not written back, so they have no encoder.
constexpr std::array<AttrSpec, 256> MakeTable() {
  std::array<AttrSpec, 256> t{};
  t[kAttrOrigin] = {"ORIGIN",        kWellKnown, A::kTreatAsWithdraw,
                    "RFC 7606 §7.1", C::Origin,  C::EncOrigin};
  t[kAttrAsPath] = {"AS_PATH",       kWellKnown, A::kTreatAsWithdraw,
                    "RFC 7606 §7.2", C::Path,    C::EncPath};
  t[kAttrNextHop] = {"NEXT_HOP",      kWellKnown, A::kTreatAsWithdraw,
                     "RFC 7606 §7.3", C::NextHop, C::EncNextHop};
  t[kAttrMed] = {"MULTI_EXIT_DISC", kOptNonTrans, A::kTreatAsWithdraw,
                 "RFC 7606 §7.4",   C::Med,       C::EncMed};
  t[kAttrLocalPref] = {"LOCAL_PREF",    kWellKnown,   A::kTreatAsWithdraw,
                       "RFC 7606 §7.5", C::LocalPref, C::EncLocalPref};
  t[kAttrAtomicAggregate] = {"ATOMIC_AGGREGATE", kWellKnown, A::kAttributeDiscard,
                             "RFC 7606 §7.6",    C::Atomic,  C::EncAtomic};
  t[kAttrAggregator] = {"AGGREGATOR",    kOptTrans,     A::kAttributeDiscard,
                        "RFC 7606 §7.7", C::Aggregator, C::EncAggregator};
  t[kAttrCommunities] = {"COMMUNITIES",   kOptTrans,      A::kTreatAsWithdraw,
                         "RFC 7606 §7.8", C::Communities, C::EncCommunities};
  t[kAttrOriginatorId] = {"ORIGINATOR_ID", kOptNonTrans,    A::kTreatAsWithdraw,
                          "RFC 7606 §7.9", C::OriginatorId, C::EncOriginatorId};
  t[kAttrClusterList] = {"CLUSTER_LIST",   kOptNonTrans,   A::kTreatAsWithdraw,
                         "RFC 7606 §7.10", C::ClusterList, C::EncClusterList};
  // RFC 7606 §7.11/§7.12 name session reset (or AFI/SAFI disable); a dump
  // has no session, so the route is treated as withdrawn.
  t[kAttrMpReach] = {"MP_REACH_NLRI",  kOptNonTrans, A::kTreatAsWithdraw,
                     "RFC 7606 §7.11", C::MpReach,   C::EncMpReach};
  t[kAttrMpUnreach] = {"MP_UNREACH_NLRI", kOptNonTrans, A::kTreatAsWithdraw,
                       "RFC 7606 §7.12",  C::MpUnreach, C::EncMpUnreach};
  t[kAttrExtCommunities] = {"EXTENDED_COMMUNITIES", kOptTrans,         A::kTreatAsWithdraw,
                            "RFC 7606 §7.14",       C::ExtCommunities, C::EncExtCommunities};
  t[kAttrAs4Path] = {"AS4_PATH",    kOptTrans,  A::kAttributeDiscard,
                     "RFC 6793 §6", C::As4Path, nullptr};
  t[kAttrAs4Aggregator] = {"AS4_AGGREGATOR", kOptTrans,        A::kAttributeDiscard,
                           "RFC 6793 §6",    C::As4Aggregator, nullptr};
  t[kAttrLargeCommunities] = {"LARGE_COMMUNITIES", kOptTrans, A::kTreatAsWithdraw,
                              "RFC 8092 §5",       C::Large,  C::EncLarge};
  t[kAttrOtc] = {"OTC", kOptTrans, A::kTreatAsWithdraw, "RFC 9234 §5", C::Otc, C::EncOtc};
  return t;
}

}  // namespace

constinit const std::array<AttrSpec, 256> kAttrTable = MakeTable();

std::string AttrName(uint8_t type) {
  const char* n = kAttrTable[type].name;
  return n ? std::string(n) : fmt::format("attribute {}", type);
}

std::string_view AttrActionName(AttrAction a) {
  switch (a) {
    case AttrAction::kNone:
      return "none";
    case AttrAction::kAttributeDiscard:
      return "attribute discard";
    case AttrAction::kTreatAsWithdraw:
      return "treat-as-withdraw";
  }
  return "?";
}

void AppendAttribute(uint8_t flags, uint8_t type, std::span<const uint8_t> body,
                     std::vector<uint8_t>* out) {
  if (body.size() > 255) flags |= kFlagExtendedLength;
  Put8(out, flags);
  Put8(out, type);
  if (flags & kFlagExtendedLength) {
    Put16(out, static_cast<uint16_t>(body.size()));
  } else {
    Put8(out, static_cast<uint8_t>(body.size()));
  }
  out->insert(out->end(), body.begin(), body.end());
}

}  // namespace vigia::bgp
