#include "bmp/message.h"

#include <fmt/format.h>

namespace vigia::bmp {

namespace {

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint64_t Get64(const uint8_t* p) { return uint64_t{Get32(p)} << 32 | Get32(p + 4); }

// A 16-octet address field: IPv4 in the last four octets unless v6
// (RFC 7854 §4.2 Peer Address, §4.10 Local Address).
IpAddress Addr16(const uint8_t* p, bool v6) {
  return v6 ? IpAddress::FromBytes(Family::kIpv6, p) : IpAddress::FromBytes(Family::kIpv4, p + 12);
}

// TLVs with 2-octet type and length to the end of data.
Status ParseTlvs(std::span<const uint8_t> data, std::vector<Tlv>* out, const char* what) {
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 4) {
      return Status::Truncated(fmt::format("{} TLV header cut at octet {}", what, at));
    }
    const uint16_t type = Get16(&data[at]);
    const uint16_t len = Get16(&data[at + 2]);
    if (data.size() - at - 4 < len) {
      return Status::Corrupt(fmt::format("{} TLV type {} at octet {} declares {} octets, {} left",
                                         what, type, at, len, data.size() - at - 4));
    }
    if (out->size() >= kMaxTlvs) {
      return Status::LimitExceeded(fmt::format("{}: more than {} TLVs", what, kMaxTlvs));
    }
    out->push_back(Tlv{type, data.subspan(at + 4, len)});
    at += 4 + len;
  }
  return Status::Ok();
}

// A whole BGP message at the front of data (RFC 4271 §4.1): its marker and
// length are checked, the rest is the caller's.
Status BgpPdu(std::span<const uint8_t> data, uint8_t want_type, const char* what,
              std::span<const uint8_t>* out) {
  if (data.size() < 19) return Status::Truncated(fmt::format("{}: BGP header cut", what));
  for (size_t i = 0; i < 16; ++i) {
    if (data[i] != 0xFF)
      return Status::Corrupt(fmt::format("{}: BGP marker is not all ones", what));
  }
  const uint16_t len = Get16(&data[16]);
  if (len < 19 || len > data.size()) {
    return Status::Corrupt(
        fmt::format("{}: BGP length {} with {} octets there", what, len, data.size()));
  }
  if (want_type != 0 && data[18] != want_type) {
    return Status::Corrupt(
        fmt::format("{}: BGP message type {}, expected {}", what, data[18], want_type));
  }
  *out = data.first(len);
  return Status::Ok();
}

}  // namespace

const char* RibViewName(RibView v) {
  switch (v) {
    case RibView::kAdjRibInPre:
      return "adj-rib-in-pre";
    case RibView::kAdjRibInPost:
      return "adj-rib-in-post";
    case RibView::kAdjRibOutPre:
      return "adj-rib-out-pre";
    case RibView::kAdjRibOutPost:
      return "adj-rib-out-post";
    case RibView::kLocRib:
      return "loc-rib";
  }
  return "?";
}

RibView PerPeerHeader::view() const {
  if (loc_rib()) return RibView::kLocRib;
  if (adj_rib_out()) return post_policy() ? RibView::kAdjRibOutPost : RibView::kAdjRibOutPre;
  return post_policy() ? RibView::kAdjRibInPost : RibView::kAdjRibInPre;
}

uint32_t DeclaredLength(std::span<const uint8_t> data) {
  return data.size() < kCommonHeaderSize ? 0 : Get32(&data[1]);
}

uint64_t Message::StatValue(const Tlv& t) {
  // RFC 7854 §4.8: types 7, 8 and 14+ (RFC 8671) are 64-bit gauges; 9, 10
  // and 16, 17 are AFI (2) + SAFI (1) + 64-bit gauge; the rest 32-bit counters.
  if (t.value.size() == 4) return Get32(t.value.data());
  if (t.value.size() == 8) return Get64(t.value.data());
  if (t.value.size() == 11) return Get64(t.value.data() + 3);
  return 0;
}

Status Message::Decode(std::span<const uint8_t> data) {
  has_peer_header = false;
  peer = PerPeerHeader();
  bgp_update = {};
  stats.clear();
  peer_up.information.clear();
  peer_up.sent_open = peer_up.received_open = {};
  peer_down.information.clear();
  peer_down.notification = peer_down.data = {};
  peer_down.reason = 0;
  peer_down.fsm_event = 0;
  tlvs.clear();

  // RFC 7854 §4.1 common header: version, length, type.
  if (data.size() < kCommonHeaderSize) {
    return Status::Truncated(
        fmt::format("RFC 7854 §4.1: {} octets, less than a common header", data.size()));
  }
  version = data[0];
  length = Get32(&data[1]);
  type = data[5];
  if (version != kVersion) {
    return Status::Unsupported(
        fmt::format("RFC 7854 §4.1: BMP version {} (only 3 is decoded)", version));
  }
  if (length != data.size()) {
    return Status::Corrupt(
        fmt::format("RFC 7854 §4.1: length {} but {} octets given", length, data.size()));
  }
  std::span<const uint8_t> body = data.subspan(kCommonHeaderSize);

  // RFC 7854 §4.2: every type but initiation and termination has a
  // per-peer header.
  if (type != kInitiation && type != kTermination && type <= kRouteMirroring) {
    if (body.size() < kPerPeerHeaderSize) {
      return Status::Truncated(
          fmt::format("RFC 7854 §4.2: type {} per-peer header cut ({} octets)", type, body.size()));
    }
    const uint8_t* p = body.data();
    peer.type = p[0];
    peer.flags = p[1];
    peer.distinguisher = Get64(p + 2);
    // RFC 9069 §4.1: a Loc-RIB peer address is zero; the V flag is not
    // defined there, so the address is read as IPv4 unless it is not all
    // zero in its first 12 octets.
    bool v6 = (peer.type != kLocRibInstance) && (p[1] & kFlagV);
    if (peer.type == kLocRibInstance) {
      for (int i = 0; i < 12; ++i) v6 = v6 || p[10 + i] != 0;
    }
    peer.address = Addr16(p + 10, v6);
    peer.as = Get32(p + 26);
    peer.bgp_id = IpAddress::FromBytes(Family::kIpv4, p + 30);
    peer.seconds = Get32(p + 34);
    peer.microseconds = Get32(p + 38);
    has_peer_header = true;
    body = body.subspan(kPerPeerHeaderSize);
  }

  switch (type) {
    case kRouteMonitoring:
      // RFC 7854 §4.6: one BGP UPDATE PDU follows.
      if (Status s = BgpPdu(body, 2, "RFC 7854 §4.6 route monitoring", &bgp_update); !s.ok())
        return s;
      if (bgp_update.size() != body.size()) {
        return Status::Corrupt(
            fmt::format("RFC 7854 §4.6: route monitoring has {} octets after the UPDATE",
                        body.size() - bgp_update.size()));
      }
      return Status::Ok();
    case kStatisticsReport: {
      // RFC 7854 §4.8: a 4-octet count, then that many TLVs.
      if (body.size() < 4) return Status::Truncated("RFC 7854 §4.8: statistics report count cut");
      const uint32_t count = Get32(body.data());
      if (Status s = ParseTlvs(body.subspan(4), &stats, "RFC 7854 §4.8 statistics report"); !s.ok())
        return s;
      if (stats.size() != count) {
        return Status::Corrupt(fmt::format("RFC 7854 §4.8: statistics report count {} but {} TLVs",
                                           count, stats.size()));
      }
      return Status::Ok();
    }
    case kPeerDown: {
      // RFC 7854 §4.9.
      if (body.empty()) return Status::Truncated("RFC 7854 §4.9: peer down reason missing");
      peer_down.reason = body[0];
      peer_down.data = body.subspan(1);
      switch (peer_down.reason) {
        case kDownLocalNotification:
        case kDownRemoteNotification:
          return BgpPdu(peer_down.data, 3, "RFC 7854 §4.9 peer down", &peer_down.notification);
        case kDownLocalNoNotification:
          if (peer_down.data.size() < 2)
            return Status::Truncated("RFC 7854 §4.9: peer down FSM event cut");
          peer_down.fsm_event = Get16(peer_down.data.data());
          return Status::Ok();
        case kDownLocalSystemClosed:  // RFC 9069 §4.6: TLVs follow
          return ParseTlvs(peer_down.data, &peer_down.information, "RFC 9069 §4.6 peer down");
        default:  // 4, 5: no data; later reasons: data kept as is
          return Status::Ok();
      }
    }
    case kPeerUp: {
      // RFC 7854 §4.10: local address, ports, sent and received OPEN, TLVs.
      if (body.size() < 20) return Status::Truncated("RFC 7854 §4.10: peer up addresses cut");
      peer_up.local_address = Addr16(body.data(), peer.ipv6());
      peer_up.local_port = Get16(&body[16]);
      peer_up.remote_port = Get16(&body[18]);
      std::span<const uint8_t> rest = body.subspan(20);
      if (Status s = BgpPdu(rest, 1, "RFC 7854 §4.10 peer up sent OPEN", &peer_up.sent_open);
          !s.ok())
        return s;
      rest = rest.subspan(peer_up.sent_open.size());
      if (Status s =
              BgpPdu(rest, 1, "RFC 7854 §4.10 peer up received OPEN", &peer_up.received_open);
          !s.ok()) {
        return s;
      }
      rest = rest.subspan(peer_up.received_open.size());
      return ParseTlvs(rest, &peer_up.information, "RFC 7854 §4.10 peer up");
    }
    case kInitiation:
      return ParseTlvs(body, &tlvs, "RFC 7854 §4.3 initiation");
    case kTermination:
      return ParseTlvs(body, &tlvs, "RFC 7854 §4.5 termination");
    case kRouteMirroring:
      return ParseTlvs(body, &tlvs, "RFC 7854 §4.7 route mirroring");
    default:
      return Status::Unsupported(fmt::format("RFC 7854 §4.1: message type {} is not known", type));
  }
}

}  // namespace vigia::bmp
