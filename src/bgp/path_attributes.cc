#include "bgp/path_attributes.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/byte_reader.h"

namespace vigia::bgp {

size_t AsPath::HopCount() const {
  size_t n = 0;
  for (const Segment& s : segments) {
    n += (s.type == kAsSet || s.type == kAsConfedSet) ? 1 : s.count;
  }
  return n;
}

Asn AsPath::Origin() const {
  if (segments.empty() || malformed) return 0;
  const Segment& last = segments.back();
  if (last.type != kAsSequence || last.count == 0) return 0;
  return asns.back();
}

// The text form is bgpdump's (bgpdump_lib.c, process_attr_aspath_string):
// sets in {}, confederation sequences in (), confederation sets in [],
// segments separated by a space unless the previous one was empty, and the
// text cut with "..." once it passes 7,900 characters.
char* AsPath::Format(char* out) const {
  static constexpr char kErr[] = "! Error !";
  if (malformed) {
    std::memcpy(out, kErr, sizeof kErr - 1);
    return out + sizeof kErr - 1;
  }
  auto open_char = [](uint8_t t) { return t == kAsSet ? '{' : t == kAsConfedSet ? '[' : '('; };
  auto close_char = [](uint8_t t) { return t == kAsSet ? '}' : t == kAsConfedSet ? ']' : ')'; };
  char* const start = out;
  bool space = false;
  uint8_t prev = kAsSequence;
  size_t at = 0;
  for (const Segment& s : segments) {
    // Empty segments write delimiters but no ASN: check the cut here too.
    if (out - start > 7900) {
      std::memcpy(out, "...", 3);
      return out + 3;
    }
    if (prev != kAsSequence) *out++ = close_char(prev);
    if (space) *out++ = ' ';
    if (s.type != kAsSequence) *out++ = open_char(s.type);
    space = false;
    const char sep = (s.type == kAsSet || s.type == kAsConfedSet) ? ',' : ' ';
    for (uint16_t k = 0; k < s.count; ++k) {
      if (space) {
        *out++ = sep;
      } else {
        space = true;
      }
      out = std::to_chars(out, out + 10, asns[at++]).ptr;
      if (out - start > 7900) {
        std::memcpy(out, "...", 3);
        return out + 3;
      }
    }
    prev = s.type;
  }
  if (!segments.empty() && segments.back().type != kAsSequence) {
    *out++ = close_char(segments.back().type);
  }
  return out;
}

std::string AsPath::ToString() const {
  std::string s(kMaxAsPathText, '\0');
  s.resize(static_cast<size_t>(Format(s.data()) - s.data()));
  return s;
}

void PathAttributes::Clear() {
  origin = 0;
  as_path.Clear();
  as4_path.Clear();
  next_hop = IpAddress::V4(0xFFFFFFFF);
  med = 0;
  local_pref = 0;
  aggregator_as = 0;
  aggregator_addr = IpAddress::V4(0xFFFFFFFF);
  communities.clear();
  ext_communities.clear();
  large_communities.clear();
  originator_id = IpAddress();
  cluster_list.clear();
  otc = 0;
  mp_reach_count = 0;
  mp_unreach_count = 0;
  unknown.clear();
  length = 0;
  add_path_detected = false;
  warning.clear();
  present_[0] = present_[1] = present_[2] = present_[3] = 0;
  as4_aggregator_as_ = 0;
  as4_aggregator_addr_ = IpAddress();
}

MpReach& PathAttributes::NextMpReach() {
  if (mp_reach.size() <= mp_reach_count) mp_reach.emplace_back();
  MpReach& r = mp_reach[mp_reach_count++];
  r.afi = 0;
  r.safi = 0;
  r.next_hop_length = 0;
  r.next_hop = IpAddress();
  r.next_hop_link_local = IpAddress();
  r.abbreviated = false;
  r.supported = false;
  r.nlri.clear();
  return r;
}

MpUnreach& PathAttributes::NextMpUnreach() {
  if (mp_unreach.size() <= mp_unreach_count) mp_unreach.emplace_back();
  MpUnreach& r = mp_unreach[mp_unreach_count++];
  r.afi = 0;
  r.safi = 0;
  r.supported = false;
  r.nlri.clear();
  return r;
}

namespace {

// RFC 4271 §4.3 (AS_PATH): a sequence of <type, count, ASNs> segments.
Status DecodeAsPath(std::span<const uint8_t> body, int as_size, AsPath* path) {
  path->Clear();
  ByteReader r(body);
  while (!r.empty()) {
    uint8_t type, count;
    if (!r.U8(&type) || !r.U8(&count)) {
      path->malformed = true;
      return Status::Corrupt("RFC 4271 §4.3: AS_PATH segment header truncated");
    }
    if (type < kAsSet || type > kAsConfedSet) {
      path->malformed = true;
      return Status::Corrupt(fmt::format("RFC 4271 §4.3: AS_PATH segment type {} is invalid", type));
    }
    if (r.remaining() < size_t{count} * as_size) {
      path->malformed = true;
      return Status::Corrupt(fmt::format(
          "RFC 4271 §4.3: AS_PATH segment of {} ASNs overflows the attribute ({} bytes left)",
          count, r.remaining()));
    }
    if (path->asns.size() + count > kMaxAsPathAsns) {
      path->malformed = true;
      return Status::LimitExceeded("AS_PATH longer than 4096 ASNs");
    }
    path->segments.push_back({type, count});
    for (int i = 0; i < count; ++i) {
      uint32_t asn = 0;
      (void)r.Asn(as_size, &asn);
      path->asns.push_back(asn);
    }
  }
  return Status::Ok();
}

Status NlriError(const char* what, int len, Family f) {
  return Status::Corrupt(fmt::format("RFC 4271 §4.3: {} prefix length {} exceeds {}", what, len,
                                     f == Family::kIpv4 ? 32 : 128));
}

}  // namespace

Status DecodeNlri(std::span<const uint8_t> data, Family family, bool add_path,
                  std::vector<NlriEntry>* out) {
  const int width = family == Family::kIpv4 ? 32 : 128;
  const uint8_t* p = data.data();
  const uint8_t* end = p + data.size();
  while (p < end) {
    NlriEntry e;
    if (add_path) {
      if (end - p < 4) return Status::Corrupt("RFC 7911 §3: path identifier truncated");
      e.path_id = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
      p += 4;
      if (p >= end) return Status::Corrupt("RFC 7911 §3: prefix missing after path identifier");
    }
    int len = *p++;
    if (len > width) return NlriError("NLRI", len, family);
    int nbytes = (len + 7) / 8;
    if (end - p < nbytes) {
      // Truncated: the entries before it are kept (the caller decides).
      return Status::Truncated(
          fmt::format("RFC 4271 §4.3: NLRI prefix /{} needs {} bytes, {} left", len, nbytes,
                      static_cast<int>(end - p)));
    }
    uint8_t raw[16] = {0};
    std::memcpy(raw, p, nbytes);
    p += nbytes;
    // Bits past the prefix length are kept as sent: bgpdump prints them, and
    // the observatory masks where it compares prefixes.
    e.prefix = Prefix(IpAddress::FromBytes(family, raw), static_cast<uint8_t>(len));
    out->push_back(e);
  }
  return Status::Ok();
}

Status PathAttributes::DecodeMpNlri(std::span<const uint8_t> data, Family f,
                                    const AttrContext& ctx, std::vector<NlriEntry>* out) {
  Status s = DecodeNlri(data, f, ctx.add_path || add_path_detected, out);
  if (!s.ok() && !ctx.add_path && !add_path_detected) {
    std::vector<NlriEntry> alt;
    if (DecodeNlri(data, f, true, &alt).ok()) {
      out->swap(alt);
      add_path_detected = true;
      warning = "MP NLRI decoded with RFC 7911 path identifiers (" + s.message() +
                " without them)";
      return Status::Ok();
    }
  }
  if (s.code() == StatusCode::kTruncated) {
    warning = "MP NLRI: " + s.message() + "; the prefixes before it are kept";
    return Status::Ok();
  }
  return s;
}

Status PathAttributes::DecodeMpReach(std::span<const uint8_t> body, const AttrContext& ctx) {
  MpReach& mp = NextMpReach();
  ByteReader r(body);
  // RFC 6396 §4.3.4: in RIB entries only the next hop length and next hop
  // are encoded. A full RFC 4760 attribute starts with the AFI, whose high
  // octet is 0, so a non-zero first octet marks the abbreviated form.
  if (ctx.mrt_rib && !body.empty() && body[0] != 0) {
    mp.abbreviated = true;
    uint8_t nh_len = body[0];
    (void)r.Skip(1);
    std::span<const uint8_t> nh;
    if (!r.Span(nh_len, &nh)) {
      return Status::Corrupt("RFC 6396 §4.3.4: MP_REACH_NLRI next hop truncated");
    }
    mp.next_hop_length = nh_len;
    if (nh_len == 4) mp.next_hop = IpAddress::FromBytes(Family::kIpv4, nh.data());
    if (nh_len == 16 || nh_len == 32) mp.next_hop = IpAddress::FromBytes(Family::kIpv6, nh.data());
    if (nh_len == 32) mp.next_hop_link_local = IpAddress::FromBytes(Family::kIpv6, nh.data() + 16);
    return Status::Ok();
  }
  uint8_t nh_len, reserved;
  std::span<const uint8_t> nh;
  if (!r.U16(&mp.afi) || !r.U8(&mp.safi) || !r.U8(&nh_len) || !r.Span(nh_len, &nh) ||
      !r.U8(&reserved)) {
    return Status::Corrupt("RFC 4760 §3: MP_REACH_NLRI header truncated");
  }
  mp.next_hop_length = nh_len;
  if (nh_len == 4) mp.next_hop = IpAddress::FromBytes(Family::kIpv4, nh.data());
  if (nh_len == 16 || nh_len == 32) mp.next_hop = IpAddress::FromBytes(Family::kIpv6, nh.data());
  if (nh_len == 32) mp.next_hop_link_local = IpAddress::FromBytes(Family::kIpv6, nh.data() + 16);
  // RFC 2858 had SNPAs where RFC 4760 has a reserved octet; old dumps may
  // still carry them, so skip them rather than misread them as NLRI.
  for (int i = 0; i < reserved; ++i) {
    uint8_t snpa_len;  // RFC 2858 §5: in semi-octets
    if (!r.U8(&snpa_len) || !r.Skip((snpa_len + 1u) / 2)) {
      return Status::Corrupt("RFC 2858 §5: SNPA truncated");
    }
  }
  mp.supported = (mp.afi == kAfiIpv4 || mp.afi == kAfiIpv6) && mp.safi >= kSafiUnicast &&
                 mp.safi <= kSafiUnicastMulticast;
  if (!mp.supported) return Status::Ok();  // kept, NLRI not decoded
  return DecodeMpNlri(r.Rest(), mp.afi == kAfiIpv4 ? Family::kIpv4 : Family::kIpv6, ctx, &mp.nlri);
}

Status PathAttributes::DecodeMpUnreach(std::span<const uint8_t> body, const AttrContext& ctx) {
  MpUnreach& mp = NextMpUnreach();
  ByteReader r(body);
  if (!r.U16(&mp.afi) || !r.U8(&mp.safi)) {
    return Status::Corrupt("RFC 4760 §4: MP_UNREACH_NLRI header truncated");
  }
  mp.supported = (mp.afi == kAfiIpv4 || mp.afi == kAfiIpv6) && mp.safi >= kSafiUnicast &&
                 mp.safi <= kSafiUnicastMulticast;
  if (!mp.supported) return Status::Ok();
  return DecodeMpNlri(r.Rest(), mp.afi == kAfiIpv4 ? Family::kIpv4 : Family::kIpv6, ctx, &mp.nlri);
}

namespace {
Status LengthError(const char* name, size_t got, const char* want) {
  return Status::Corrupt(fmt::format("RFC 7606 §7: {} has length {}, expected {}", name, got, want));
}
}  // namespace

Status PathAttributes::DecodeOne(uint8_t flags, uint8_t type, std::span<const uint8_t> body,
                                 const AttrContext& ctx) {
  ByteReader r(body);
  const size_t n = body.size();
  switch (type) {
    case kAttrOrigin:
      if (n != 1) return LengthError("ORIGIN", n, "1");
      origin = body[0];
      return Status::Ok();
    case kAttrAsPath:
      return DecodeAsPath(body, ctx.as_size, &as_path);
    case kAttrNextHop:
      if (n != 4) return LengthError("NEXT_HOP", n, "4");
      next_hop = IpAddress::FromBytes(Family::kIpv4, body.data());
      return Status::Ok();
    case kAttrMed:
      if (n != 4) return LengthError("MULTI_EXIT_DISC", n, "4");
      (void)r.U32(&med);
      return Status::Ok();
    case kAttrLocalPref:
      if (n != 4) return LengthError("LOCAL_PREF", n, "4");
      (void)r.U32(&local_pref);
      return Status::Ok();
    case kAttrAtomicAggregate:
      return Status::Ok();
    case kAttrAggregator:
      // The length tells the AS width; some speakers send 4-octet
      // AGGREGATORs where the session (or MRT subtype) says 2, and the
      // other way round (RFC 6793 §4.1 leaves it to the sender).
      if (n != 6 && n != 8) return LengthError("AGGREGATOR", n, ctx.as_size == 4 ? "8" : "6");
      (void)r.Asn(n == 8 ? 4 : 2, &aggregator_as);
      aggregator_addr = IpAddress::FromBytes(Family::kIpv4, r.current());
      return Status::Ok();
    case kAttrCommunities:
      if (n % 4) return LengthError("COMMUNITIES", n, "a multiple of 4");
      for (size_t i = 0; i < n / 4; ++i) {
        uint32_t c = 0;
        (void)r.U32(&c);
        communities.push_back(c);
      }
      return Status::Ok();
    case kAttrOriginatorId:
      if (n != 4) return LengthError("ORIGINATOR_ID", n, "4");
      originator_id = IpAddress::FromBytes(Family::kIpv4, body.data());
      return Status::Ok();
    case kAttrClusterList:
      if (n % 4) return LengthError("CLUSTER_LIST", n, "a multiple of 4");
      for (size_t i = 0; i < n / 4; ++i) {
        uint32_t c = 0;
        (void)r.U32(&c);
        cluster_list.push_back(c);
      }
      return Status::Ok();
    case kAttrMpReach:
      return DecodeMpReach(body, ctx);
    case kAttrMpUnreach:
      return DecodeMpUnreach(body, ctx);
    case kAttrExtCommunities:
      if (n % 8) return LengthError("EXTENDED_COMMUNITIES", n, "a multiple of 8");
      for (size_t i = 0; i < n / 8; ++i) {
        uint32_t hi = 0, lo = 0;
        (void)r.U32(&hi);
        (void)r.U32(&lo);
        ext_communities.push_back((uint64_t{hi} << 32) | lo);
      }
      return Status::Ok();
    case kAttrAs4Path:
      // RFC 7606 §7.3 would discard a malformed AS4_PATH; the merge below
      // ignores it when marked malformed, so the error is not fatal.
      (void)DecodeAsPath(body, 4, &as4_path);
      return Status::Ok();
    case kAttrAs4Aggregator:
      if (n != 8) return LengthError("AS4_AGGREGATOR", n, "8");
      (void)r.U32(&as4_aggregator_as_);
      as4_aggregator_addr_ = IpAddress::FromBytes(Family::kIpv4, r.current());
      return Status::Ok();
    case kAttrLargeCommunities:
      if (n % 12) return LengthError("LARGE_COMMUNITIES", n, "a multiple of 12");
      for (size_t i = 0; i < n / 12; ++i) {
        LargeCommunity c{};
        (void)r.U32(&c.global_admin);
        (void)r.U32(&c.local1);
        (void)r.U32(&c.local2);
        large_communities.push_back(c);
      }
      return Status::Ok();
    case kAttrOtc:
      if (n != 4) return LengthError("OTC", n, "4");
      (void)r.U32(&otc);
      return Status::Ok();
    default:
      unknown.push_back({flags, type, body});
      return Status::Ok();
  }
}

// RFC 6793 §4.2.3: rebuild the 4-octet path of a 2-octet session.
void PathAttributes::MergeAs4(const AttrContext& ctx) {
  // In a 4-octet session AS4_PATH and AS4_AGGREGATOR must be ignored.
  if (ctx.as_size == 4) return;
  if (Has(kAttrAggregator) && Has(kAttrAs4Aggregator)) {
    // An AGGREGATOR that is not AS_TRANS means the aggregating speaker was
    // 2-octet only: AS4_AGGREGATOR and AS4_PATH are then ignored.
    if (aggregator_as != kAsTrans) return;
    aggregator_as = as4_aggregator_as_;
    aggregator_addr = as4_aggregator_addr_;
  }
  if (!Has(kAttrAs4Path) || !Has(kAttrAsPath) || as4_path.malformed || as_path.malformed) return;
  const size_t have = as_path.HopCount();
  const size_t tail = as4_path.HopCount();
  if (have < tail) return;  // the AS4_PATH is not trustworthy; keep AS_PATH
  const size_t keep = have - tail;
  AsPath merged;
  size_t counted = 0, at = 0;
  for (const AsPath::Segment& s : as_path.segments) {
    if (counted >= keep) break;
    AsPath::Segment out = s;
    if (s.type == kAsSet || s.type == kAsConfedSet) {
      counted += 1;
    } else {
      size_t take = std::min<size_t>(s.count, keep - counted);
      out.count = static_cast<uint16_t>(take);
      counted += take;
    }
    merged.segments.push_back(out);
    merged.asns.insert(merged.asns.end(), as_path.asns.begin() + at,
                       as_path.asns.begin() + at + out.count);
    at += s.count;
  }
  merged.segments.insert(merged.segments.end(), as4_path.segments.begin(),
                         as4_path.segments.end());
  merged.asns.insert(merged.asns.end(), as4_path.asns.begin(), as4_path.asns.end());
  as_path.segments.swap(merged.segments);
  as_path.asns.swap(merged.asns);
}

Status PathAttributes::Decode(std::span<const uint8_t> data, const AttrContext& ctx) {
  Clear();
  length = data.size();
  ByteReader r(data);
  while (!r.empty()) {
    const size_t at = r.position();
    uint8_t flags, type;
    if (!r.U8(&flags) || !r.U8(&type)) {
      return Status::Corrupt(fmt::format("RFC 4271 §4.3: attribute header truncated at offset {}", at));
    }
    size_t len;
    if (flags & kFlagExtendedLength) {
      uint16_t l;
      if (!r.U16(&l)) return Status::Corrupt("RFC 4271 §4.3: extended attribute length truncated");
      len = l;
    } else {
      uint8_t l;
      if (!r.U8(&l)) return Status::Corrupt("RFC 4271 §4.3: attribute length truncated");
      len = l;
    }
    std::span<const uint8_t> body;
    if (!r.Span(len, &body)) {
      return Status::Corrupt(fmt::format(
          "RFC 4271 §4.3: attribute type {} length {} exceeds the {} bytes left in the block",
          type, len, r.remaining()));
    }
    // RFC 7606 §3(g): of repeated attributes only the first counts.
    if (Has(type) && type != kAttrMpReach && type != kAttrMpUnreach) continue;
    present_[type >> 6] |= uint64_t{1} << (type & 63);
    Status s = DecodeOne(flags, type, body, ctx);
    if (!s.ok()) {
      return Status(s.code(), fmt::format("attribute type {} at offset {}: {}", type, at, s.message()));
    }
  }
  MergeAs4(ctx);
  return Status::Ok();
}

}  // namespace vigia::bgp
