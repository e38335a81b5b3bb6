#include "bmp/route_feed.h"

#include <fmt/format.h>

namespace vigia::bmp {

namespace {

using bgp::FeedProblem;
using bgp::Route;
using bgp::RouteSource;
using bgp::WithdrawCause;

// RFC 5492 capability codes.
constexpr uint8_t kCapAs4 = 65;      // RFC 6793
constexpr uint8_t kCapAddPath = 69;  // RFC 7911

void Capabilities(std::span<const uint8_t> caps, OpenCapabilities* out) {
  size_t at = 0;
  while (at + 2 <= caps.size()) {
    const uint8_t code = caps[at];
    const uint8_t len = caps[at + 1];
    if (caps.size() - at - 2 < len) return;  // cut: keep what was read
    const uint8_t* v = caps.data() + at + 2;
    if (code == kCapAs4 && len == 4) {
      out->as4 = true;
      out->as4_value = uint32_t{v[0]} << 24 | uint32_t{v[1]} << 16 | uint32_t{v[2]} << 8 | v[3];
    } else if (code == kCapAddPath) {
      // RFC 7911 §4: AFI (2), SAFI (1), Send/Receive (1), repeated.
      for (size_t i = 0; i + 4 <= len; i += 4) {
        const uint16_t afi = static_cast<uint16_t>(v[i] << 8 | v[i + 1]);
        if (v[i + 2] != bgp::kSafiUnicast) continue;
        if (afi == bgp::kAfiIpv4) out->add_path_v4 = v[i + 3] & 3;
        if (afi == bgp::kAfiIpv6) out->add_path_v6 = v[i + 3] & 3;
      }
    }
    at += 2 + len;
  }
}

}  // namespace

Status ParseOpenCapabilities(std::span<const uint8_t> open, OpenCapabilities* out) {
  *out = OpenCapabilities();
  // RFC 4271 §4.2: header (19), version, my AS (2), hold time (2), BGP
  // identifier (4), optional parameters length, parameters.
  if (open.size() < 29) return Status::Truncated("OPEN shorter than 29 octets");
  size_t len = open[28];
  size_t at = 29;
  size_t head = 2;  // parameter type + length octets
  // RFC 9072 §2: non-extended length 255 and type 255 mean a 2-octet length
  // follows, and each parameter's length is 2 octets too.
  if (len == 255 && open.size() >= 32 && open[29] == 255) {
    len = size_t{open[30]} << 8 | open[31];
    at = 32;
    head = 3;
  }
  if (open.size() - at < len) return Status::Corrupt("OPEN optional parameters past the message");
  const size_t end = at + len;
  while (at + head <= end) {
    const uint8_t type = open[at];
    const size_t plen = head == 2 ? open[at + 1] : (size_t{open[at + 1]} << 8 | open[at + 2]);
    if (end - at - head < plen) return Status::Corrupt("OPEN parameter past the parameters");
    if (type == 2) Capabilities(open.subspan(at + head, plen), out);  // RFC 5492 §4
    at += head + plen;
  }
  return Status::Ok();
}

bool UpdateHasPathIds(std::span<const uint8_t> u, bool v4, bool v6) {
  if (v4 == v6) return v4;
  // Which address families the UPDATE carries NLRI of: IPv4 in its body,
  // and the AFI of its MP_REACH / MP_UNREACH attributes (RFC 4760 §3, §4).
  // Reads only what is there; a damaged message says nothing.
  bool has_v4 = false, has_v6 = false;
  if (u.size() < 23) return false;
  const size_t wlen = size_t{u[19]} << 8 | u[20];
  if (u.size() < 23 + wlen) return false;
  const size_t alen = size_t{u[21 + wlen]} << 8 | u[22 + wlen];
  const size_t attrs = 23 + wlen;
  if (u.size() < attrs + alen) return false;
  has_v4 = wlen > 0 || u.size() > attrs + alen;
  for (size_t at = attrs; at + 3 <= attrs + alen;) {
    const bool ext = u[at] & bgp::kFlagExtendedLength;
    const uint8_t type = u[at + 1];
    if (ext && at + 4 > attrs + alen) break;
    const size_t len = ext ? (size_t{u[at + 2]} << 8 | u[at + 3]) : u[at + 2];
    const size_t body = at + (ext ? 4 : 3);
    if (body + len > attrs + alen) break;
    if ((type == bgp::kAttrMpReach || type == bgp::kAttrMpUnreach) && len >= 2) {
      const uint16_t afi = static_cast<uint16_t>(u[body] << 8 | u[body + 1]);
      has_v4 = has_v4 || afi == bgp::kAfiIpv4;
      has_v6 = has_v6 || afi == bgp::kAfiIpv6;
    }
    at = body + len;
  }
  return (has_v4 && v4) || (has_v6 && v6);
}

bgp::PeerHandle BmpRouteFeed::Handle(const PeerKey& key, const PerPeerHeader& h,
                                     bgp::RouteSink* sink) {
  const RibView view = h.view();
  auto [it, fresh] =
      by_key_.try_emplace({key, view}, static_cast<bgp::PeerHandle>(handles_.size()));
  if (fresh) {
    handles_.push_back(HandleInfo{key, view, h.type, h.bgp_id});
    std::string name = fmt::format("{} {} {}", station_, key.router.ToString(), RibViewName(view));
    if (key.distinguisher != 0) name += fmt::format(" rd {}", key.distinguisher);
    auto s = sessions_.find(key);
    if (s != sessions_.end() && !s->second.table_name.empty()) {
      name += " table " + s->second.table_name;
    }
    sink->Peer(it->second, bgp::PeerInfo{name, key.address, key.as, h.bgp_id});
  }
  return it->second;
}

void BmpRouteFeed::RouteMonitoring(const Message& m, const PeerKey& key, std::string_view where,
                                   uint64_t offset, bgp::RouteSink* sink) {
  const PerPeerHeader& h = m.peer;
  bgp::AttrContext ctx;
  // RFC 7854 §4.2: the A flag says the AS_PATH has 2-octet ASNs.
  ctx.as_size = h.legacy_as_path() ? 2 : 4;
  auto s = sessions_.find(key);
  if (s != sessions_.end() && s->second.up) {
    // RFC 7911 §4: path identifiers flow from a side that may send them to
    // one that may receive them. Adj-RIB-In: the peer (received OPEN) sends;
    // Adj-RIB-Out (RFC 8671): the router (sent OPEN) does.
    const OpenCapabilities& from = h.adj_rib_out() ? s->second.sent : s->second.received;
    const OpenCapabilities& to = h.adj_rib_out() ? s->second.received : s->second.sent;
    const bool v4 = (from.add_path_v4 & 2) && (to.add_path_v4 & 1);
    const bool v6 = (from.add_path_v6 & 2) && (to.add_path_v6 & 1);
    ctx.add_path = UpdateHasPathIds(m.bgp_update, v4, v6);
  }
  if (Status st = bgp_.Decode(m.bgp_update, ctx); !st.ok()) {
    ++counters_.bad;
    sink->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, where, offset,
                              "route monitoring: " + st.message()});
    return;
  }
  if (!bgp_.warning.empty()) {
    sink->Problem(FeedProblem{FeedProblem::Kind::kRepaired, where, offset, bgp_.warning});
  }
  const bgp::Update& u = bgp_.update;
  const bgp::PathAttributes& a = u.attrs;
  for (const bgp::AttrError& e : a.errors()) {
    sink->Problem(FeedProblem{e.action == bgp::AttrAction::kTreatAsWithdraw
                                  ? FeedProblem::Kind::kRouteWithdrawn
                                  : FeedProblem::Kind::kAttributeDiscarded,
                              where, offset, fmt::format("{}: {}", e.rule, e.message)});
  }
  Route r;
  r.peer = Handle(key, h, sink);
  r.time = bgp::RouteTime{h.seconds, h.microseconds};
  r.source = RouteSource::kUpdate;
  auto emit = [&](const std::vector<bgp::NlriEntry>& list, uint16_t afi, uint8_t safi, bool reach) {
    r.afi = afi;
    r.safi = safi;
    for (const bgp::NlriEntry& n : list) {
      r.prefix = n.prefix;
      r.path_id = n.path_id;
      r.rd = n.rd;  // VPN routes (SAFI 128) are passed with their RD
      if (!reach) {
        ++counters_.withdrawn;
        sink->Withdraw(r, WithdrawCause::kWithdrawn);
      } else if (a.withdrawn()) {
        ++counters_.withdrawn;
        sink->Withdraw(r, WithdrawCause::kTreatAsWithdraw);
      } else {
        ++counters_.announced;
        sink->Announce(r, a);
      }
    }
  };
  bgp::ForEachNlriList(u, emit, [&] { r.attr_set = ++attr_set_; });
}

void BmpRouteFeed::Down(const PeerKey& key, bgp::RouteTime t, bgp::RouteSink* sink) {
  for (auto it = by_key_.lower_bound({key, RibView::kAdjRibInPre});
       it != by_key_.end() && it->first.first == key; ++it) {
    ++counters_.session_downs;
    sink->SessionDown(it->second, t);
  }
  sessions_.erase(key);
}

void BmpRouteFeed::Feed(const Message& m, const IpAddress& router, std::string_view where,
                        uint64_t offset, bgp::RouteSink* sink) {
  if (m.type < counters_.by_type.size()) ++counters_.by_type[m.type];
  const PeerKey key{router, m.peer.distinguisher, m.peer.address, m.peer.as};
  const bgp::RouteTime t{m.peer.seconds, m.peer.microseconds};
  switch (m.type) {
    case kRouteMonitoring:
      RouteMonitoring(m, key, where, offset, sink);
      break;
    case kPeerUp: {
      Session& s = sessions_[key];
      s = Session();
      s.up = true;
      Status a = ParseOpenCapabilities(m.peer_up.sent_open, &s.sent);
      Status b = ParseOpenCapabilities(m.peer_up.received_open, &s.received);
      if (!a.ok() || !b.ok()) {
        sink->Problem(
            FeedProblem{FeedProblem::Kind::kNote, where, offset,
                        "peer up: OPEN capabilities: " + (a.ok() ? b.message() : a.message())});
      }
      for (const Tlv& tlv : m.peer_up.information) {
        if (tlv.type == kInfoVrfTableName) s.table_name = std::string(tlv.text());
      }
      break;
    }
    case kPeerDown:
      Down(key, t, sink);
      break;
    case kTermination:
      RouterDown(router, bgp::RouteTime{}, sink);
      break;
    default:
      break;
  }
}

void BmpRouteFeed::RouterDown(const IpAddress& router, bgp::RouteTime t, bgp::RouteSink* sink) {
  std::vector<PeerKey> keys;
  for (const auto& [k, h] : by_key_) {
    if (k.first.router == router && (keys.empty() || !(keys.back() == k.first))) {
      keys.push_back(k.first);
    }
  }
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->first.router == router ? sessions_.erase(it) : std::next(it);
  }
  for (const PeerKey& k : keys) Down(k, t, sink);
}

Status BmpRouteFeed::FeedStream(std::span<const uint8_t> bytes, const IpAddress& router,
                                std::string_view where, bgp::RouteSink* sink, size_t max_message) {
  BmpReader reader(max_message);
  reader.Append(bytes);
  Message m;
  for (;;) {
    switch (reader.Next(&m)) {
      case BmpReader::Step::kMessage:
        Feed(m, router, where, reader.offset(), sink);
        break;
      case BmpReader::Step::kBad:
        ++counters_.bad;
        sink->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, where, reader.offset(),
                                  reader.error().message()});
        break;
      case BmpReader::Step::kFatal:
        sink->Problem(FeedProblem{FeedProblem::Kind::kBytesSkipped, where, reader.offset(),
                                  reader.error().message()});
        return reader.error();
      case BmpReader::Step::kNeedMore:
        if (reader.buffered() > 0) {
          sink->Problem(FeedProblem{
              FeedProblem::Kind::kTruncated, where, reader.pending_offset(),
              fmt::format("stream ends inside a message ({} octets)", reader.buffered())});
        }
        return Status::Ok();
    }
  }
}

}  // namespace vigia::bmp
