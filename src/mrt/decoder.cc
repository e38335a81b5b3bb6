#include "mrt/decoder.h"

#include <fmt/format.h>

#include "bgp/attr_table.h"
#include "core/byte_reader.h"

namespace vigia::mrt {

namespace {

bool ReadIp(ByteReader& r, Family f, IpAddress* out) {
  uint8_t raw[16];
  size_t n = f == Family::kIpv4 ? 4 : 16;
  if (!r.Copy(raw, n)) return false;
  *out = IpAddress::FromBytes(f, raw);
  return true;
}

// A prefix as an NLRI (length in bits, then the significant octets),
// RFC 4271 §4.3, as RFC 6396 §4.3.2 uses it.
Status ReadPrefix(ByteReader& r, Family f, Prefix* out) {
  uint8_t len;
  if (!r.U8(&len)) return Status::Corrupt("RFC 6396 §4.3.2: prefix length missing");
  int width = f == Family::kIpv4 ? 32 : 128;
  if (len > width) {
    return Status::Corrupt(fmt::format("RFC 6396 §4.3.2: prefix length {} exceeds {}", len, width));
  }
  uint8_t raw[16] = {0};
  if (!r.Copy(raw, (len + 7) / 8)) return Status::Corrupt("RFC 6396 §4.3.2: prefix truncated");
  *out = Prefix(IpAddress::FromBytes(f, raw), len);
  return Status::Ok();
}

Status Truncated(const char* where) {
  return Status::Corrupt(fmt::format("{}: record truncated", where));
}

}  // namespace

Status Decoder::Decode(const Record& rec) {
  rec_ = rec;
  kind_ = EntryKind::kNone;
  warning_.clear();
  route_problems_ = false;
  Status s;
  switch (rec.header.type) {
    case kTypeTableDump:
      s = DecodeTableDump(rec);
      break;
    case kTypeTableDumpV2:
      s = rec.header.subtype == kPeerIndexTable ? DecodePeerIndex(rec) : DecodeRib(rec);
      break;
    case kTypeBgp4mp:
    case kTypeBgp4mpEt:
      s = DecodeBgp4mp(rec);
      break;
    case kTypeBgp:
      s = DecodeLegacyBgp(rec);
      break;
    default:
      kind_ = EntryKind::kOther;
      return Status::Ok();
  }
  if ((kind_ == EntryKind::kBgp4mpMessage || kind_ == EntryKind::kBgpMessage) &&
      bgp4mp_.message.type == bgp::kMsgUpdate) {
    route_problems_ = !bgp4mp_.message.update.attrs.errors().empty();
  }
  if (!s.ok()) {
    kind_ = EntryKind::kNone;
    route_problems_ = false;
  } else if ((kind_ == EntryKind::kBgp4mpMessage || kind_ == EntryKind::kBgpMessage) &&
             !bgp4mp_.message.warning.empty()) {
    warning_ = bgp4mp_.message.warning;
  }
  return s;
}

// RFC 6396 §4.2 (TABLE_DUMP). Subtypes 3 and 4 (4-octet AS) are the common
// extension that bgpdump reads too.
Status Decoder::DecodeTableDump(const Record& rec) {
  const uint16_t st = rec.header.subtype;
  if (st < 1 || st > 4) {
    return Status::Unsupported(fmt::format("RFC 6396 §4.2: TABLE_DUMP subtype {} is unknown", st));
  }
  const Family f = (st == 2 || st == 4) ? Family::kIpv6 : Family::kIpv4;
  const int as_size = st >= 3 ? 4 : 2;
  ByteReader r(rec.body);
  uint16_t view, seq;
  if (!r.U16(&view) || !r.U16(&seq)) return Truncated("RFC 6396 §4.2 TABLE_DUMP");
  table_dump_.subtype = st;
  table_dump_.entry_count = 0;
  // One entry per record in RFC 6396; the batched legacy files repeat the
  // entry (without view and sequence) until the record ends.
  while (!r.empty()) {
    if (table_dump_.entries.size() <= table_dump_.entry_count) table_dump_.entries.emplace_back();
    TableDumpEntry& e = table_dump_.entries[table_dump_.entry_count];
    e.view = view;
    e.sequence = seq;
    uint8_t raw[16] = {0};
    uint8_t len;
    uint16_t attr_len;
    std::span<const uint8_t> attrs;
    if (!r.Copy(raw, f == Family::kIpv4 ? 4 : 16) || !r.U8(&len) || !r.U8(&e.status) ||
        !r.U32(&e.originated_time) || !ReadIp(r, f, &e.peer_ip) || !r.Asn(as_size, &e.peer_as) ||
        !r.U16(&attr_len) || !r.Span(attr_len, &attrs)) {
      return Status::Corrupt(
          fmt::format("RFC 6396 §4.2: TABLE_DUMP entry {} truncated", table_dump_.entry_count));
    }
    if (len > (f == Family::kIpv4 ? 32 : 128)) {
      return Status::Corrupt(fmt::format("RFC 6396 §4.2: prefix length {} is invalid", len));
    }
    e.prefix = Prefix(IpAddress::FromBytes(f, raw), len);
    bgp::AttrContext ctx{.as_size = as_size, .add_path = false, .mrt_rib = true};
    // RFC 7606: errors stay with this entry (e.attrs.errors()).
    (void)e.attrs.Decode(attrs, ctx);
    route_problems_ |= !e.attrs.errors().empty();
    ++table_dump_.entry_count;
    if (table_dump_.entry_count > kMaxRibEntries) {
      return Status::LimitExceeded("TABLE_DUMP record holds more than 65535 entries");
    }
  }
  if (table_dump_.entry_count == 0) return Truncated("RFC 6396 §4.2 TABLE_DUMP");
  kind_ = EntryKind::kTableDump;
  return Status::Ok();
}

// RFC 6396 §4.3.1.
Status Decoder::DecodePeerIndex(const Record& rec) {
  ByteReader r(rec.body);
  uint16_t name_len, count;
  std::span<const uint8_t> name;
  PeerIndexTable t;
  if (!ReadIp(r, Family::kIpv4, &t.collector_id) || !r.U16(&name_len) || !r.Span(name_len, &name) ||
      !r.U16(&count)) {
    return Truncated("RFC 6396 §4.3.1 PEER_INDEX_TABLE");
  }
  t.view_name.assign(name.begin(), name.end());
  t.peers.resize(count);
  for (PeerEntry& p : t.peers) {
    if (!r.U8(&p.peer_type) || !ReadIp(r, Family::kIpv4, &p.bgp_id) ||
        !ReadIp(r, (p.peer_type & 1) ? Family::kIpv6 : Family::kIpv4, &p.ip) ||
        !r.Asn((p.peer_type & 2) ? 4 : 2, &p.asn)) {
      return Truncated("RFC 6396 §4.3.1 PEER_INDEX_TABLE peer entry");
    }
  }
  peer_index_ = std::move(t);
  has_peer_index_ = true;
  kind_ = EntryKind::kPeerIndexTable;
  return Status::Ok();
}

bool PeekRibPrefix(const Record& rec, Prefix* out) {
  if (rec.header.type != kTypeTableDumpV2) return false;
  Family f;
  switch (rec.header.subtype) {
    case kRibIpv4Unicast:
    case kRibIpv4UnicastAddPath:
    case kRibIpv4Multicast:
    case kRibIpv4MulticastAddPath:
      f = Family::kIpv4;
      break;
    case kRibIpv6Unicast:
    case kRibIpv6UnicastAddPath:
    case kRibIpv6Multicast:
    case kRibIpv6MulticastAddPath:
      f = Family::kIpv6;
      break;
    default:
      return false;
  }
  ByteReader r(rec.body);
  uint32_t sequence;
  return r.U32(&sequence) && ReadPrefix(r, f, out).ok();
}

// RFC 6396 §4.3.2-4.3.4 and RFC 8050 §4.
Status Decoder::DecodeRib(const Record& rec) {
  const uint16_t st = rec.header.subtype;
  Rib& rib = rib_;
  rib.subtype = st;
  rib.entry_count = 0;
  rib.raw_nlri = {};
  rib.prefix_decoded = true;
  rib.add_path = st >= kRibIpv4UnicastAddPath && st <= kRibGenericAddPath;
  ByteReader r(rec.body);
  if (!r.U32(&rib.sequence)) return Truncated("RFC 6396 §4.3.2 RIB");
  switch (st) {
    case kRibIpv4Unicast:
    case kRibIpv4UnicastAddPath:
    case kRibIpv4Multicast:
    case kRibIpv4MulticastAddPath:
    case kRibIpv6Unicast:
    case kRibIpv6UnicastAddPath:
    case kRibIpv6Multicast:
    case kRibIpv6MulticastAddPath: {
      bool v6 = st == kRibIpv6Unicast || st == kRibIpv6UnicastAddPath || st == kRibIpv6Multicast ||
                st == kRibIpv6MulticastAddPath;
      bool mc = st == kRibIpv4Multicast || st == kRibIpv4MulticastAddPath ||
                st == kRibIpv6Multicast || st == kRibIpv6MulticastAddPath;
      rib.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
      rib.safi = mc ? bgp::kSafiMulticast : bgp::kSafiUnicast;
      if (Status s = ReadPrefix(r, v6 ? Family::kIpv6 : Family::kIpv4, &rib.prefix); !s.ok()) {
        return s;
      }
      break;
    }
    case kRibGeneric:
    case kRibGenericAddPath: {
      uint8_t len;
      if (!r.U16(&rib.afi) || !r.U8(&rib.safi) || !r.U8(&len)) {
        return Truncated("RFC 6396 §4.3.3 RIB_GENERIC");
      }
      ByteReader nlri = r;
      if (!r.Skip((len + 7) / 8)) return Truncated("RFC 6396 §4.3.3 RIB_GENERIC NLRI");
      rib.raw_nlri = {nlri.current() - 1, static_cast<size_t>(1 + (len + 7) / 8)};
      rib.prefix_decoded = (rib.afi == bgp::kAfiIpv4 || rib.afi == bgp::kAfiIpv6) &&
                           (rib.safi == bgp::kSafiUnicast || rib.safi == bgp::kSafiMulticast);
      if (rib.prefix_decoded) {
        ByteReader p(rib.raw_nlri);
        Status s =
            ReadPrefix(p, rib.afi == bgp::kAfiIpv4 ? Family::kIpv4 : Family::kIpv6, &rib.prefix);
        if (!s.ok()) return s;
      }
      break;
    }
    default:
      return Status::Unsupported(
          fmt::format("RFC 6396 §4.3: TABLE_DUMP_V2 subtype {} is unknown", st));
  }
  uint16_t count;
  if (!r.U16(&count)) return Truncated("RFC 6396 §4.3.4 RIB entry count");
  if (count > 0 && !has_peer_index_) {
    return Status::Corrupt("RFC 6396 §4.3.1: RIB record before any PEER_INDEX_TABLE");
  }
  // Each entry takes at least 8 bytes (10 with a path identifier): a count
  // the record cannot hold is refused before anything is allocated for it.
  if (size_t{count} * (rib.add_path ? 10 : 8) > r.remaining()) {
    return Status::Corrupt(
        fmt::format("RFC 6396 §4.3.4: RIB entry count {} does not fit in the {} bytes left", count,
                    r.remaining()));
  }
  if (rib.entries.size() < count) rib.entries.resize(count);
  bgp::AttrContext ctx{.as_size = 4, .add_path = false, .mrt_rib = true};
  for (uint16_t i = 0; i < count; ++i) {
    RibEntry& e = rib.entries[i];
    uint16_t attr_len;
    std::span<const uint8_t> attrs;
    if (!r.U16(&e.peer_index) || !r.U32(&e.originated_time) ||
        (rib.add_path && !r.U32(&e.path_id)) || !r.U16(&attr_len) || !r.Span(attr_len, &attrs)) {
      return Status::Corrupt(
          fmt::format("RFC 6396 §4.3.4: RIB entry {} of {} truncated", i, count));
    }
    if (!rib.add_path) e.path_id = 0;
    if (e.peer_index >= peer_index_.peers.size()) {
      return Status::Corrupt(fmt::format(
          "RFC 6396 §4.3.4: peer index {} is beyond the {} peers of the PEER_INDEX_TABLE",
          e.peer_index, peer_index_.peers.size()));
    }
    // RFC 7606: a malformed attribute affects this entry alone; the errors
    // stay with it (e.attrs.errors()) and the other peers' routes stand.
    (void)e.attrs.Decode(attrs, ctx);
    route_problems_ |= !e.attrs.errors().empty();
    rib.entry_count = i + 1u;
  }
  kind_ = EntryKind::kRib;
  return Status::Ok();
}

Status Decoder::DecodeBgp4mp(const Record& rec) {
  switch (rec.header.subtype) {
    case kStateChange:
    case kStateChangeAs4:
      return DecodeStateChange(rec);
    case kMessage:
    case kMessageAs4:
    case kMessageLocal:
    case kMessageAs4Local:
    case kMessageAddPath:
    case kMessageAs4AddPath:
    case kMessageLocalAddPath:
    case kMessageAs4LocalAddPath:
      return DecodeBgp4mpMessage(rec);
    default:
      return Status::Unsupported(fmt::format("RFC 6396 §4.4: BGP4MP subtype {} ({}) not decoded",
                                             rec.header.subtype,
                                             SubtypeName(rec.header.type, rec.header.subtype)));
  }
}

// RFC 6396 §4.4.1.
Status Decoder::DecodeStateChange(const Record& rec) {
  StateChange& sc = state_change_;
  sc = StateChange{};
  sc.subtype = rec.header.subtype;
  const int as_size = rec.header.subtype == kStateChangeAs4 ? 4 : 2;
  ByteReader r(rec.body);
  if (!r.Asn(as_size, &sc.peer_as) || !r.Asn(as_size, &sc.local_as)) {
    return Truncated("RFC 6396 §4.4.1 STATE_CHANGE");
  }
  // Old Zebra wrote state changes without interface, AFI and addresses.
  if (rec.body.size() == static_cast<size_t>(2 * as_size + 4)) {
    (void)r.U16(&sc.old_state);
    (void)r.U16(&sc.new_state);
    sc.afi = bgp::kAfiIpv4;
    sc.peer_ip = sc.local_ip = IpAddress::V4(0);
    kind_ = EntryKind::kBgp4mpStateChange;
    return Status::Ok();
  }
  if (!r.U16(&sc.interface_index) || !r.U16(&sc.afi)) {
    return Truncated("RFC 6396 §4.4.1 STATE_CHANGE");
  }
  if (sc.afi != bgp::kAfiIpv4 && sc.afi != bgp::kAfiIpv6) {
    return Status::Corrupt(fmt::format("RFC 6396 §4.4.1: STATE_CHANGE AFI {} is invalid", sc.afi));
  }
  Family f = sc.afi == bgp::kAfiIpv4 ? Family::kIpv4 : Family::kIpv6;
  if (!ReadIp(r, f, &sc.peer_ip) || !ReadIp(r, f, &sc.local_ip) || !r.U16(&sc.old_state) ||
      !r.U16(&sc.new_state)) {
    return Truncated("RFC 6396 §4.4.1 STATE_CHANGE");
  }
  kind_ = EntryKind::kBgp4mpStateChange;
  return Status::Ok();
}

// RFC 6396 §4.4.2-4.4.6, RFC 8050 §3.
Status Decoder::DecodeBgp4mpMessage(const Record& rec) {
  Bgp4mpMessage& m = bgp4mp_;
  const uint16_t st = rec.header.subtype;
  m.subtype = st;
  m.as4 = st == kMessageAs4 || st == kMessageAs4Local || st == kMessageAs4AddPath ||
          st == kMessageAs4LocalAddPath;
  m.local = st == kMessageLocal || st == kMessageAs4Local || st == kMessageLocalAddPath ||
            st == kMessageAs4LocalAddPath;
  m.add_path = st >= kMessageAddPath && st <= kMessageAs4LocalAddPath;
  const int as_size = m.as4 ? 4 : 2;
  ByteReader r(rec.body);
  if (!r.Asn(as_size, &m.peer_as) || !r.Asn(as_size, &m.local_as) || !r.U16(&m.interface_index) ||
      !r.U16(&m.afi)) {
    return Truncated("RFC 6396 §4.4.2 BGP4MP_MESSAGE");
  }
  std::span<const uint8_t> msg;
  if (m.afi == 0xFFFF && m.interface_index == 0xFFFF) {
    // Zebra wrote OPEN messages without interface, AFI and addresses; the
    // four octets read as those are the start of the BGP marker.
    m.afi = bgp::kAfiIpv4;
    m.interface_index = 0;
    m.peer_ip = m.local_ip = IpAddress::V4(0);
    msg = {r.current() - 4, r.remaining() + 4};
  } else {
    if (m.afi != bgp::kAfiIpv4 && m.afi != bgp::kAfiIpv6) {
      return Status::Corrupt(fmt::format("RFC 6396 §4.4.2: BGP4MP AFI {} is invalid", m.afi));
    }
    Family f = m.afi == bgp::kAfiIpv4 ? Family::kIpv4 : Family::kIpv6;
    if (!ReadIp(r, f, &m.peer_ip) || !ReadIp(r, f, &m.local_ip)) {
      return Truncated("RFC 6396 §4.4.2 BGP4MP_MESSAGE");
    }
    msg = r.Rest();
  }
  bgp::AttrContext ctx{.as_size = as_size, .add_path = m.add_path, .mrt_rib = false};
  if (Status s = m.message.Decode(msg, ctx); !s.ok()) return s;
  kind_ = EntryKind::kBgp4mpMessage;
  return Status::Ok();
}

// RFC 6396 Appendix B.2.1 (deprecated MRTd BGP type).
Status Decoder::DecodeLegacyBgp(const Record& rec) {
  ByteReader r(rec.body);
  const uint16_t st = rec.header.subtype;
  if (st == kBgpStateChange) {
    StateChange& sc = state_change_;
    sc = StateChange{};
    sc.subtype = st;
    sc.afi = bgp::kAfiIpv4;
    uint16_t as;
    if (!r.U16(&as) || !ReadIp(r, Family::kIpv4, &sc.peer_ip) || !r.U16(&sc.old_state) ||
        !r.U16(&sc.new_state)) {
      return Truncated("RFC 6396 B.2.1 BGP STATE_CHANGE");
    }
    sc.peer_as = as;
    kind_ = EntryKind::kBgpStateChange;
    return Status::Ok();
  }
  if (st != kBgpUpdate && st != kBgpOpen && st != kBgpNotify && st != kBgpKeepalive) {
    return Status::Unsupported(fmt::format("RFC 6396 B.2.1: BGP subtype {} not decoded", st));
  }
  Bgp4mpMessage& m = bgp4mp_;
  m.subtype = st;
  m.as4 = false;
  m.local = false;
  m.add_path = false;
  m.afi = bgp::kAfiIpv4;
  m.interface_index = 0;
  uint16_t peer_as, local_as;
  if (!r.U16(&peer_as) || !ReadIp(r, Family::kIpv4, &m.peer_ip) || !r.U16(&local_as) ||
      !ReadIp(r, Family::kIpv4, &m.local_ip)) {
    return Truncated("RFC 6396 B.2.1 BGP message");
  }
  m.peer_as = peer_as;
  m.local_as = local_as;
  bgp::AttrContext ctx{.as_size = 2, .add_path = false, .mrt_rib = false};
  if (st == kBgpUpdate) {
    if (Status s = m.message.DecodeUpdateBody(r.Rest(), ctx); !s.ok()) return s;
  } else {
    m.message.type = st == kBgpOpen     ? bgp::kMsgOpen
                     : st == kBgpNotify ? bgp::kMsgNotification
                                        : bgp::kMsgKeepalive;
    m.message.body = r.Rest();
  }
  kind_ = EntryKind::kBgpMessage;
  return Status::Ok();
}

std::string RouteProblem::ToString() const {
  return fmt::format("peer {} AS{}, {}: {} {}: {}", peer_ip.ToString(), peer_as, routes,
                     error->rule, bgp::AttrActionName(error->action), error->message);
}

namespace {

std::string UpdateRoutes(const bgp::Update& u) {
  size_t n = u.nlri.size();
  const bgp::NlriEntry* first = u.nlri.empty() ? nullptr : &u.nlri[0];
  for (size_t i = 0; i < u.attrs.mp_reach_count; ++i) {
    const auto& l = u.attrs.mp_reach[i].nlri;
    if (!first && !l.empty()) first = &l[0];
    n += l.size();
  }
  if (n == 0) return "no prefix";
  if (n == 1) return first->prefix.ToString();
  return fmt::format("{} prefixes from {}", n, first->prefix.ToString());
}

}  // namespace

void ForEachRouteProblem(const Decoder& d, const std::function<void(const RouteProblem&)>& f) {
  if (!d.has_route_problems()) return;
  RouteProblem p;
  auto each = [&](const bgp::PathAttributes& a) {
    p.attrs = &a;
    for (const bgp::AttrError& e : a.errors()) {
      p.error = &e;
      f(p);
    }
  };
  switch (d.kind()) {
    case EntryKind::kRib: {
      const Rib& rib = d.rib();
      for (size_t i = 0; i < rib.entry_count; ++i) {
        const RibEntry& e = rib.entries[i];
        if (e.attrs.errors().empty()) continue;
        const PeerEntry& peer = d.peer_index().peers[e.peer_index];
        p.peer_ip = peer.ip;
        p.peer_as = peer.asn;
        p.routes = rib.prefix_decoded ? rib.prefix.ToString() : "RIB_GENERIC prefix";
        each(e.attrs);
      }
      break;
    }
    case EntryKind::kTableDump: {
      const TableDump& td = d.table_dump();
      for (size_t i = 0; i < td.entry_count; ++i) {
        const TableDumpEntry& e = td.entries[i];
        if (e.attrs.errors().empty()) continue;
        p.peer_ip = e.peer_ip;
        p.peer_as = e.peer_as;
        p.routes = e.prefix.ToString();
        each(e.attrs);
      }
      break;
    }
    case EntryKind::kBgp4mpMessage:
    case EntryKind::kBgpMessage: {
      const Bgp4mpMessage& m = d.bgp4mp();
      if (m.message.type != bgp::kMsgUpdate || m.message.update.attrs.errors().empty()) break;
      p.peer_ip = m.peer_ip;
      p.peer_as = m.peer_as;
      p.routes = UpdateRoutes(m.message.update);
      each(m.message.update.attrs);
      break;
    }
    default:
      break;
  }
}

}  // namespace vigia::mrt
