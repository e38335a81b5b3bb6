// Test helpers of the live detectors: an event log (a LiveEventSink that
// keeps every event) and a feeder that turns "peer, prefix, AS path" into
// RouteSink calls. Tests only; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bgp/route_sink.h"
#include "live/live_event.h"

namespace vigia::live::test {

class EventLog : public LiveEventSink {
 public:
  void OnEvent(const LiveEvent& e) override { events.push_back(e); }
  // "+key -key ..." for failure messages.
  std::string Keys() const {
    std::string out;
    for (const LiveEvent& e : events) {
      out += (e.phase == EventPhase::kRaised ? " +" : " -") + e.key;
    }
    return out;
  }
  std::vector<LiveEvent> events;
};

// Feeds a sink as collector "test" with peers 0..n-1 (192.0.2.100+i, AS
// 65000+i); route time starts at 1,800,000,000 and moves as tests say.
class Feeder {
 public:
  Feeder(bgp::RouteSink* sink, uint32_t peers) : sink_(sink) {
    for (uint32_t i = 0; i < peers; ++i) {
      bgp::PeerInfo info;
      info.collector = "test";
      info.ip = IpAddress::V4(0xC0000264 + i);
      info.asn = 65000 + i;
      sink_->Peer(i, info);
    }
  }
  void Table(uint32_t peer, const std::string& prefix, const std::vector<Asn>& path) {
    Send(peer, prefix, path, 0, bgp::RouteSource::kTableSnapshot, 0);
  }
  // otc: an RFC 9234 OTC attribute with this AS (0: none).
  void Announce(uint32_t peer, const std::string& prefix, const std::vector<Asn>& path,
                uint32_t path_id = 0, Asn otc = 0) {
    Send(peer, prefix, path, path_id, bgp::RouteSource::kUpdate, otc);
  }
  void Withdraw(uint32_t peer, const std::string& prefix, uint32_t path_id = 0) {
    bgp::Route r = RouteOf(peer, prefix, path_id, bgp::RouteSource::kUpdate);
    sink_->Withdraw(r, bgp::WithdrawCause::kWithdrawn);
  }
  uint32_t time = 1'800'000'000;

 private:
  bgp::Route RouteOf(uint32_t peer, const std::string& prefix, uint32_t path_id,
                     bgp::RouteSource source) {
    bgp::Route r;
    r.peer = peer;
    r.time = {time, 0};
    r.source = source;
    r.prefix = *Prefix::Parse(prefix);
    r.path_id = path_id;
    r.afi = r.prefix.address().is_v4() ? bgp::kAfiIpv4 : bgp::kAfiIpv6;
    return r;
  }
  void Send(uint32_t peer, const std::string& prefix, const std::vector<Asn>& path,
            uint32_t path_id, bgp::RouteSource source, Asn otc) {
    bgp::Route r = RouteOf(peer, prefix, path_id, source);
    r.attr_set = ++attr_set_;
    bgp::PathAttributes a;
    if (otc) {
      a.otc = otc;
      a.Set(bgp::kAttrOtc);
    }
    a.as_path.asns = path;
    a.as_path.segments.push_back({bgp::kAsSequence, static_cast<uint16_t>(path.size())});
    sink_->Announce(r, a);
  }
  bgp::RouteSink* sink_;
  uint64_t attr_set_ = 0;
};

}  // namespace vigia::live::test
