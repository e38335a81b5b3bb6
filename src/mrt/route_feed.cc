#include "mrt/route_feed.h"

#include <fmt/format.h>

namespace vigia::mrt {

namespace {

using bgp::FeedProblem;
using bgp::Route;
using bgp::RouteSource;
using bgp::WithdrawCause;

// RFC 4271 §8.2.2: the Established state's number in BGP4MP STATE_CHANGE.
constexpr uint16_t kEstablished = 6;

}  // namespace

bgp::PeerHandle RouteFeed::Handle(const IpAddress& ip, Asn asn, const IpAddress& bgp_id,
                                  bgp::RouteSink* sink) {
  auto [it, fresh] =
      handles_.try_emplace(PeerKey{ip, asn}, static_cast<bgp::PeerHandle>(handles_.size()));
  if (fresh) sink->Peer(it->second, bgp::PeerInfo{collector_, ip, asn, bgp_id});
  return it->second;
}

void RouteFeed::TableRoute(bgp::Route& r, const bgp::PathAttributes& attrs, bgp::RouteSink* sink) {
  r.attr_set = ++attr_set_;
  if (attrs.withdrawn()) {
    sink->Withdraw(r, WithdrawCause::kTreatAsWithdraw);
  } else {
    sink->Announce(r, attrs);
  }
}

void RouteFeed::Feed(const Decoder& d, std::string_view where, bgp::RouteSink* sink) {
  const RecordHeader& h = d.record().header;
  const bgp::RouteTime t{h.timestamp, h.microseconds};
  // RFC 7606 actions, reported before the events they explain.
  if (d.has_route_problems())
    ForEachRouteProblem(d, [&](const RouteProblem& p) {
      const std::string text = p.ToString();
      sink->Problem(FeedProblem{p.error->action == bgp::AttrAction::kTreatAsWithdraw
                                    ? FeedProblem::Kind::kRouteWithdrawn
                                    : FeedProblem::Kind::kAttributeDiscarded,
                                where, d.record().offset, text});
    });
  switch (d.kind()) {
    case EntryKind::kPeerIndexTable: {
      rib_peers_.clear();
      for (const PeerEntry& e : d.peer_index().peers) {
        rib_peers_.push_back(Handle(e.ip, e.asn, e.bgp_id, sink));
      }
      break;
    }
    case EntryKind::kRib: {
      const Rib& rib = d.rib();
      if (!rib.prefix_decoded) break;  // RIB_GENERIC of another AFI/SAFI
      Route r;
      r.time = t;
      r.source = RouteSource::kTableSnapshot;
      r.prefix = rib.prefix;
      r.afi = rib.afi;
      r.safi = rib.safi;
      for (size_t i = 0; i < rib.entry_count; ++i) {
        const RibEntry& e = rib.entries[i];
        if (e.peer_index >= rib_peers_.size()) continue;  // the decoder refuses these
        r.peer = rib_peers_[e.peer_index];
        r.path_id = e.path_id;
        TableRoute(r, e.attrs, sink);
      }
      break;
    }
    case EntryKind::kTableDump: {
      const TableDump& td = d.table_dump();
      Route r;
      r.time = t;
      r.source = RouteSource::kTableSnapshot;
      r.afi = td.subtype == 2 || td.subtype == 4 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
      for (size_t i = 0; i < td.entry_count; ++i) {
        const TableDumpEntry& e = td.entries[i];
        r.peer = Handle(e.peer_ip, e.peer_as, IpAddress(), sink);
        r.prefix = e.prefix;
        TableRoute(r, e.attrs, sink);
      }
      break;
    }
    case EntryKind::kBgp4mpMessage:
    case EntryKind::kBgpMessage: {
      const Bgp4mpMessage& m = d.bgp4mp();
      if (m.local || m.message.type != bgp::kMsgUpdate) break;  // UPDATEs received only
      const bgp::Update& u = m.message.update;
      const bgp::PathAttributes& a = u.attrs;
      Route r;
      r.peer = Handle(m.peer_ip, m.peer_as, IpAddress(), sink);
      r.time = t;
      r.source = RouteSource::kUpdate;
      // One NLRI list: withdrawn, or announced with a (withdrawn instead
      // when a is treat-as-withdraw, RFC 7606 §2).
      auto emit = [&](const std::vector<bgp::NlriEntry>& list, uint16_t afi, uint8_t safi,
                      bool reach) {
        // The observatory reads the global table: labeled and VPN routes
        // (SAFI 4, 128), which the decoder yields since RFC 8277/4364
        // support, stay out of it as they did before.
        if (bgp::IsLabeledSafi(safi)) return;
        r.afi = afi;
        r.safi = safi;
        for (const bgp::NlriEntry& n : list) {
          r.prefix = n.prefix;
          r.path_id = n.path_id;
          if (!reach) {
            sink->Withdraw(r, WithdrawCause::kWithdrawn);
          } else if (a.withdrawn()) {
            sink->Withdraw(r, WithdrawCause::kTreatAsWithdraw);
          } else {
            sink->Announce(r, a);
          }
        }
      };
      bgp::ForEachNlriList(u, emit, [&] { r.attr_set = ++attr_set_; });
      break;
    }
    case EntryKind::kBgp4mpStateChange:
    case EntryKind::kBgpStateChange: {
      // RFC 4271 §8: leaving Established drops every route the peer sent
      // (§8.2.2, Established state, on any error or stop event).
      const StateChange& c = d.state_change();
      if (c.old_state == kEstablished && c.new_state != kEstablished) {
        sink->SessionDown(Handle(c.peer_ip, c.peer_as, IpAddress(), sink), t);
      }
      break;
    }
    default:
      break;
  }
}

Status RouteFeed::ReadFile(const std::string& path, bgp::RouteSink* sink, ReaderOptions opts) {
  auto reader = MrtReader::Open(path, opts);
  if (!reader.ok()) return reader.status();
  MrtReader& in = **reader;
  bool stream_reported = false;
  in.set_problem_handler([&](const Problem& p) {
    FeedProblem::Kind kind = FeedProblem::Kind::kBytesSkipped;
    switch (p.kind) {
      case ProblemKind::kNote:
        kind = FeedProblem::Kind::kNote;
        break;
      case ProblemKind::kFraming:
        kind = FeedProblem::Kind::kBytesSkipped;
        break;
      case ProblemKind::kTruncated:
        kind = FeedProblem::Kind::kTruncated;
        break;
      case ProblemKind::kStream:
        kind = FeedProblem::Kind::kStream;
        stream_reported = true;
        break;
    }
    sink->Problem(FeedProblem{kind, path, p.offset, p.message});
  });
  Decoder dec;
  Record rec;
  Prefix peeked;
  while (in.Next(&rec)) {
    if (skip_rib_ && PeekRibPrefix(rec, &peeked) && skip_rib_(peeked)) continue;
    if (Status s = dec.Decode(rec); !s.ok()) {
      sink->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, path, rec.offset, s.message()});
      continue;
    }
    if (!dec.warning().empty()) {
      sink->Problem(FeedProblem{FeedProblem::Kind::kRepaired, path, rec.offset, dec.warning()});
    }
    Feed(dec, path, sink);
  }
  if (!in.stream_status().ok() && !stream_reported) {
    sink->Problem(FeedProblem{FeedProblem::Kind::kStream, path, FeedProblem::kNoOffset,
                              in.stream_status().message()});
  }
  return Status::Ok();
}

}  // namespace vigia::mrt
