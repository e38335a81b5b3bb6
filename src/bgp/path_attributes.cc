#include "bgp/path_attributes.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "bgp/attr_table.h"
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
char* AsPath::Format(char* out, size_t cut) const {
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
    if (static_cast<size_t>(out - start) > cut) {
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
      if (static_cast<size_t>(out - start) > cut) {
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
  action_ = AttrAction::kNone;
  errors_.clear();
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
      return Status::Truncated(fmt::format("RFC 4271 §4.3: NLRI prefix /{} needs {} bytes, {} left",
                                           len, nbytes, static_cast<int>(end - p)));
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

std::string FormatRd(uint64_t rd) {
  const uint16_t type = static_cast<uint16_t>(rd >> 48);
  switch (type) {
    case 0:
      return fmt::format("{}:{}", (rd >> 32) & 0xFFFF, rd & 0xFFFFFFFF);
    case 1:
      return fmt::format("{}.{}.{}.{}:{}", (rd >> 40) & 0xFF, (rd >> 32) & 0xFF, (rd >> 24) & 0xFF,
                         (rd >> 16) & 0xFF, rd & 0xFFFF);
    case 2:
      return fmt::format("{}:{}", (rd >> 16) & 0xFFFFFFFF, rd & 0xFFFF);
    default:
      return fmt::format("{}:{:012x}", type, rd & 0xFFFFFFFFFFFF);
  }
}

// RFC 8277 §2 (labels, each 3 octets: 20-bit label, 3 TC bits, S bit) and
// RFC 4364 §4.3.4 (an 8-octet RD after them for VPN routes).
Status DecodeLabeledNlri(std::span<const uint8_t> data, Family family, bool vpn, bool reach,
                         bool add_path, std::vector<NlriEntry>* out) {
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
    int bits = *p++;
    for (;;) {
      if (bits < 24) {
        return Status::Corrupt(
            fmt::format("RFC 8277 §2: labeled NLRI length {} leaves no room for a label", bits));
      }
      if (end - p < 3) return Status::Truncated("RFC 8277 §2: label truncated");
      const uint32_t v = uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
      p += 3;
      bits -= 24;
      if (e.label_count == kMaxLabelStack) {
        return Status::Corrupt(fmt::format(
            "RFC 8277 §2: label stack longer than {} (cap kMaxLabelStack)", kMaxLabelStack));
      }
      e.labels[e.label_count++] = v >> 4;
      if (v & 1) break;  // bottom of stack
      // RFC 8277 §2.4: a withdrawal's label field is a placeholder.
      if (!reach && (v == 0x800000 || v == 0)) break;
    }
    if (vpn) {
      if (bits < 64) {
        return Status::Corrupt(
            fmt::format("RFC 4364 §4.3.4: VPN NLRI length leaves {} bits for the RD", bits));
      }
      if (end - p < 8) return Status::Truncated("RFC 4364 §4.3.4: route distinguisher truncated");
      for (int i = 0; i < 8; ++i) e.rd = e.rd << 8 | p[i];
      p += 8;
      bits -= 64;
    }
    if (bits > width) return NlriError("labeled NLRI", bits, family);
    const int nbytes = (bits + 7) / 8;
    if (end - p < nbytes) {
      return Status::Truncated(fmt::format(
          "RFC 8277 §2: labeled prefix /{} needs {} bytes, {} left", bits, nbytes, end - p));
    }
    uint8_t raw[16] = {0};
    std::memcpy(raw, p, nbytes);
    p += nbytes;
    e.prefix = Prefix(IpAddress::FromBytes(family, raw), static_cast<uint8_t>(bits));
    out->push_back(e);
  }
  return Status::Ok();
}

Status PathAttributes::DecodeMpNlri(std::span<const uint8_t> data, Family f, uint8_t safi,
                                    bool reach, const AttrContext& ctx,
                                    std::vector<NlriEntry>* out) {
  auto decode = [&](bool add_path, std::vector<NlriEntry>* to) {
    if (IsLabeledSafi(safi)) {
      return DecodeLabeledNlri(data, f, safi == kSafiMplsVpn, reach, add_path, to);
    }
    return DecodeNlri(data, f, add_path, to);
  };
  Status s = decode(ctx.add_path || add_path_detected, out);
  if (!s.ok() && !ctx.add_path && !add_path_detected) {
    std::vector<NlriEntry> alt;
    if (decode(true, &alt).ok()) {
      out->swap(alt);
      add_path_detected = true;
      warning = "MP NLRI decoded with RFC 7911 path identifiers (" + s.message() + " without them)";
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
  // RFC 4364 §4.3.2, RFC 4659 §3.2.1: a VPN next hop is an RD (zero) and an
  // address, twice for a global and a link-local IPv6 next hop.
  const size_t rd =
      mp.safi == kSafiMplsVpn && (nh_len == 12 || nh_len == 24 || nh_len == 48) ? 8 : 0;
  const size_t addr_len = rd ? (nh_len == 48 ? 24 : nh_len) - rd : nh_len == 32 ? 16 : nh_len;
  if (addr_len == 4) mp.next_hop = IpAddress::FromBytes(Family::kIpv4, nh.data() + rd);
  if (addr_len == 16) mp.next_hop = IpAddress::FromBytes(Family::kIpv6, nh.data() + rd);
  if (nh_len == 32 || (rd && nh_len == 48)) {
    mp.next_hop_link_local = IpAddress::FromBytes(Family::kIpv6, nh.data() + rd + 16 + rd);
  }
  // RFC 2858 had SNPAs where RFC 4760 has a reserved octet; old dumps may
  // still carry them, so skip them rather than misread them as NLRI.
  for (int i = 0; i < reserved; ++i) {
    uint8_t snpa_len;  // RFC 2858 §5: in semi-octets
    if (!r.U8(&snpa_len) || !r.Skip((snpa_len + 1u) / 2)) {
      return Status::Corrupt("RFC 2858 §5: SNPA truncated");
    }
  }
  mp.supported =
      (mp.afi == kAfiIpv4 || mp.afi == kAfiIpv6) &&
      ((mp.safi >= kSafiUnicast && mp.safi <= kSafiUnicastMulticast) || IsLabeledSafi(mp.safi));
  if (!mp.supported) return Status::Ok();  // kept, NLRI not decoded
  return DecodeMpNlri(r.Rest(), mp.afi == kAfiIpv4 ? Family::kIpv4 : Family::kIpv6, mp.safi, true,
                      ctx, &mp.nlri);
}

Status PathAttributes::DecodeMpUnreach(std::span<const uint8_t> body, const AttrContext& ctx) {
  MpUnreach& mp = NextMpUnreach();
  ByteReader r(body);
  if (!r.U16(&mp.afi) || !r.U8(&mp.safi)) {
    return Status::Corrupt("RFC 4760 §4: MP_UNREACH_NLRI header truncated");
  }
  mp.supported =
      (mp.afi == kAfiIpv4 || mp.afi == kAfiIpv6) &&
      ((mp.safi >= kSafiUnicast && mp.safi <= kSafiUnicastMulticast) || IsLabeledSafi(mp.safi));
  if (!mp.supported) return Status::Ok();
  return DecodeMpNlri(r.Rest(), mp.afi == kAfiIpv4 ? Family::kIpv4 : Family::kIpv6, mp.safi, false,
                      ctx, &mp.nlri);
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
  merged.segments.insert(merged.segments.end(), as4_path.segments.begin(), as4_path.segments.end());
  merged.asns.insert(merged.asns.end(), as4_path.asns.begin(), as4_path.asns.end());
  as_path.segments.swap(merged.segments);
  as_path.asns.swap(merged.asns);
}

void PathAttributes::AddError(uint8_t type, AttrAction action, const char* rule,
                              std::string message) {
  errors_.push_back({type, action, rule, std::move(message)});
  action_ = std::max(action_, action);
}

// RFC 7606 §3-§5 over one attribute block: each attribute is checked
// against its row of the attribute table (flags, §3 c; length and value,
// §7) and a malformed one gets the row's action.
Status PathAttributes::Decode(std::span<const uint8_t> data, const AttrContext& ctx) {
  Clear();
  length = data.size();
  Status first;  // the first treat-as-withdraw error
  auto withdraw = [&](uint8_t type, const char* rule, Status s) {
    AddError(type, AttrAction::kTreatAsWithdraw, rule, s.message());
    if (first.ok()) first = std::move(s);
  };
  ByteReader r(data);
  Status s;  // the current attribute's error; set only on failure
  while (!r.empty()) {
    const size_t at = r.position();
    uint8_t flags, type;
    // RFC 7606 §4: an attribute that overruns the block makes the rest
    // unreadable; the route is treat-as-withdraw.
    if (!r.U8(&flags) || !r.U8(&type)) {
      withdraw(0, "RFC 7606 §4",
               Status::Corrupt(
                   fmt::format("RFC 4271 §4.3: attribute header truncated at offset {}", at)));
      break;
    }
    size_t len;
    if (flags & kFlagExtendedLength) {
      uint16_t l;
      if (!r.U16(&l)) {
        withdraw(type, "RFC 7606 §4",
                 Status::Corrupt("RFC 4271 §4.3: extended attribute length truncated"));
        break;
      }
      len = l;
    } else {
      uint8_t l;
      if (!r.U8(&l)) {
        withdraw(type, "RFC 7606 §4", Status::Corrupt("RFC 4271 §4.3: attribute length truncated"));
        break;
      }
      len = l;
    }
    std::span<const uint8_t> body;
    if (!r.Span(len, &body)) {
      withdraw(type, "RFC 7606 §4",
               Status::Corrupt(fmt::format(
                   "RFC 4271 §4.3: attribute type {} length {} exceeds the {} bytes left in the "
                   "block",
                   type, len, r.remaining())));
      break;
    }
    const AttrSpec& spec = AttrSpecFor(type);
    // RFC 7606 §3(g): of repeated attributes only the first counts.
    if (Has(type) && type != kAttrMpReach && type != kAttrMpUnreach) {
      AddError(
          type, AttrAction::kAttributeDiscard, "RFC 7606 §3 g",
          fmt::format("{} at offset {} repeats an earlier one; discarded", AttrName(type), at));
      continue;
    }
    if (!spec.decode) {
      Set(type);
      unknown.push_back({flags, type, body});
      continue;
    }
    const uint8_t kinds = flags & (kFlagOptional | kFlagTransitive);
    if (kinds != spec.flags && !ctx.mrt_rib) {
      // RFC 7606 §3(c): conflicting Optional/Transitive bits make the
      // attribute malformed, handled with the attribute's own action. The
      // rule is about what a peer sent: in an MRT RIB entry the flags are
      // the dumper's re-encoding, not the peer's (the NL-ix route server's
      // dumps in ixp-rs/ write 0x00 on NEXT_HOP, LOCAL_PREF and
      // LARGE_COMMUNITIES of 23 routes whose values are intact, and
      // bgpdump prints them), so RIB entries are not checked.
      s = Status::Corrupt(fmt::format("RFC 7606 §3 c: {} flags 0x{:02x}, expected 0x{:02x}",
                                      spec.name, kinds, spec.flags));
    } else {
      Set(type);
      if (spec.decode(*this, body, ctx, &s)) continue;
    }
    const char* rule = s.code() == StatusCode::kLimitExceeded ? "cap kMaxAsPathAsns" : spec.rule;
    Status located(s.code(),
                   fmt::format("attribute type {} at offset {}: {}", type, at, s.message()));
    if (spec.on_error == AttrAction::kAttributeDiscard) {
      Unset(type);
      AddError(type, AttrAction::kAttributeDiscard, rule, located.message() + "; discarded");
    } else {
      withdraw(type, rule, std::move(located));
    }
  }
  MergeAs4(ctx);
  return first;
}

}  // namespace vigia::bgp
