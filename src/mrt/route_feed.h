// RouteFeed: MRT files as route events (bgp/route_sink.h). It reads records
// with MrtReader, decodes them with Decoder and tells a RouteSink what each
// means for routes:
//  - TABLE_DUMP_V2 RIB entries and TABLE_DUMP (v1) entries: Announce() with
//    RouteSource::kTableSnapshot at the record's time;
//  - BGP4MP and MRTd BGP UPDATEs received from a peer: Withdraw() for each
//    withdrawn prefix (IPv4 and MP_UNREACH_NLRI), then Announce() for each
//    announced one (IPv4 and MP_REACH_NLRI); messages the collector sent,
//    and other message types, are not routes;
//  - RFC 7606 treat-as-withdraw: Withdraw() with kTreatAsWithdraw for each
//    prefix of that entry or UPDATE, plus a Problem(); attribute discard:
//    the route is announced and a Problem() says what was dropped;
//  - STATE_CHANGE from Established (6) to another state: SessionDown()
//    (RFC 4271 §8.2.2);
//  - framing damage, truncation, decompression errors, records that do
//    not decode: Problem() with the file and offset; reading goes on.
//
// One feed follows one collector: its peer handles name (address, AS)
// pairs, stable across the files it reads. Not thread-safe; the sink is
// called from the reading thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bgp/route_sink.h"
#include "core/status.h"
#include "mrt/decoder.h"
#include "mrt/reader.h"
#include "mrt/stats.h"

namespace vigia::mrt {

class RouteFeed {
 public:
  explicit RouteFeed(std::string collector) : collector_(std::move(collector)) {}

  // Reads a whole MRT file (any compression) into sink. Fails only when
  // the file cannot be opened; everything else is a Problem().
  Status ReadFile(const std::string& path, bgp::RouteSink* sink, ReaderOptions opts = {});

  // Passes over the TABLE_DUMP_V2 RIB records of one AFI/SAFI whose prefix
  // `skip` returns true for before their entries are decoded
  // (PeekRibPrefix): no event, no problem. For a sink that drops every
  // event of those prefixes (ObservedRoutes::SetBucketRange) the routes are
  // the same; only the skipped records' problems (RFC 7606 actions, entries
  // that do not decode) go unreported.
  void SkipRibRecords(std::function<bool(const Prefix&)> skip) { skip_rib_ = std::move(skip); }

  // The events of one decoded record; `where` names the input in problems.
  void Feed(const Decoder& d, std::string_view where, bgp::RouteSink* sink);

 private:
  bgp::PeerHandle Handle(const IpAddress& ip, Asn asn, const IpAddress& bgp_id,
                         bgp::RouteSink* sink);

  // One RIB or TABLE_DUMP entry: announced, or withdrawn under RFC 7606.
  void TableRoute(bgp::Route& r, const bgp::PathAttributes& attrs, bgp::RouteSink* sink);

  std::string collector_;
  std::unordered_map<PeerKey, bgp::PeerHandle, PeerKeyHash> handles_;
  std::vector<bgp::PeerHandle> rib_peers_;  // PEER_INDEX_TABLE index -> handle
  uint64_t attr_set_ = 0;
  std::function<bool(const Prefix&)> skip_rib_;
};

}  // namespace vigia::mrt
