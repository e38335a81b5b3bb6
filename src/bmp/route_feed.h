// BmpRouteFeed: a BMP station's messages as route events (bgp/route_sink.h).
//
// A station hears many routers; each router reports many peers, and for
// each peer up to five RIBs (RFC 7854 pre- and post-policy Adj-RIB-In,
// RFC 8671 pre- and post-policy Adj-RIB-Out, RFC 9069 Loc-RIB). Every
// (router address, peer distinguisher, peer address, peer AS, RIB view) is
// its own PeerHandle, so the routes of two routers, of two VRFs of one
// router (route distinguishers, RFC 7854 §4.2 peer type 1) or of the pre-
// and post-policy views of one peer never replace each other. The handle's
// PeerInfo::collector is "<station> <router> <view>[ rd <n>][ table <name>]".
//
// What each message means (RFC 7854 §4):
//  - route monitoring: the BGP UPDATE is decoded with the session's
//    context, then Withdraw() for each withdrawn prefix and Announce() (or
//    Withdraw(kTreatAsWithdraw), RFC 7606) for each announced one, as
//    mrt::RouteFeed does for BGP4MP. The per-peer header's A flag says
//    whether AS_PATH has 2-octet ASNs (§4.2); ADD-PATH (RFC 7911) comes
//    from the peer up's two OPENs: the peer may send and the router
//    receive path identifiers for IPv4 or IPv6 unicast (reversed for
//    Adj-RIB-Out), looked up for the families the UPDATE carries. Without a peer up the UPDATE
//    decoder's ADD-PATH guess applies (a kRepaired problem says so).
//  - peer up: remembers the OPENs' capabilities and the Loc-RIB VRF/table
//    name TLV (RFC 9069 §5.1.2); no route event.
//  - peer down: SessionDown() for every view of that peer (§4.9).
//  - termination, or RouterDown() when the TCP session ends: SessionDown()
//    for every peer of the router (its data is stale, §3.3).
//  - statistics, initiation, route mirroring: counted, no route event.
//  - a message that does not decode: Problem(kRecordSkipped) with offset.
//
// Not thread-safe; the sink is called from the caller's thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/message.h"
#include "bgp/route_sink.h"
#include "bmp/message.h"
#include "bmp/reader.h"

namespace vigia::bmp {

// What an OPEN's capabilities say (RFC 5492), as far as decoding needs.
struct OpenCapabilities {
  bool as4 = false;  // RFC 6793 capability 65
  Asn as4_value = 0;
  // RFC 7911 capability 69 Send/Receive bits (1 receive, 2 send) for IPv4
  // and IPv6 unicast.
  uint8_t add_path_v4 = 0;
  uint8_t add_path_v6 = 0;
};
// Reads the optional parameters of a whole OPEN message (header included;
// RFC 9072 extended parameters too). Unknown capabilities are skipped.
Status ParseOpenCapabilities(std::span<const uint8_t> open, OpenCapabilities* out);
// Whether an UPDATE (whole message) is decoded with path identifiers (RFC
// 7911) when the sender may send them for IPv4 unicast (`v4`) and IPv6
// unicast (`v6`). One flag covers the whole UPDATE: when only one family
// has them, the families the UPDATE carries decide (an UPDATE with both is
// decoded by the first; the decoder's guess covers the other).
bool UpdateHasPathIds(std::span<const uint8_t> update, bool v4, bool v6);

class BmpRouteFeed {
 public:
  explicit BmpRouteFeed(std::string station) : station_(std::move(station)) {}

  // One decoded message that `router` sent; where/offset name it in problems.
  void Feed(const Message& m, const IpAddress& router, std::string_view where, uint64_t offset,
            bgp::RouteSink* sink);
  // Every message of a byte stream from one router, through a BmpReader.
  // Returns the reader's fatal error, if any (the feed stops there).
  Status FeedStream(std::span<const uint8_t> bytes, const IpAddress& router, std::string_view where,
                    bgp::RouteSink* sink, size_t max_message = kDefaultMaxMessage);
  // The router's BMP session ended: all its peers' routes are gone.
  void RouterDown(const IpAddress& router, bgp::RouteTime t, bgp::RouteSink* sink);

  struct PeerKey {
    IpAddress router;
    uint64_t distinguisher = 0;
    IpAddress address;
    Asn as = 0;
    friend auto operator<=>(const PeerKey&, const PeerKey&) = default;
    friend bool operator==(const PeerKey&, const PeerKey&) = default;
  };
  // What the feed knows about one handle.
  struct HandleInfo {
    PeerKey key;
    RibView view = RibView::kAdjRibInPre;
    uint8_t peer_type = 0;
    IpAddress bgp_id;
  };
  const std::vector<HandleInfo>& handles() const { return handles_; }

  struct Counters {
    std::array<uint64_t, 7> by_type{};  // decoded messages per RFC 7854 type
    uint64_t bad = 0;                   // messages that did not decode
    uint64_t announced = 0;
    uint64_t withdrawn = 0;
    uint64_t session_downs = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Session {
    bool up = false;  // a peer up was seen
    OpenCapabilities sent, received;
    std::string table_name;  // RFC 9069 VRF/table name
  };
  bgp::PeerHandle Handle(const PeerKey& key, const PerPeerHeader& h, bgp::RouteSink* sink);
  void RouteMonitoring(const Message& m, const PeerKey& key, std::string_view where,
                       uint64_t offset, bgp::RouteSink* sink);
  void Down(const PeerKey& key, bgp::RouteTime t, bgp::RouteSink* sink);

  std::string station_;
  std::map<std::pair<PeerKey, RibView>, bgp::PeerHandle> by_key_;
  std::vector<HandleInfo> handles_;
  std::map<PeerKey, Session> sessions_;
  bgp::BgpMessage bgp_;
  uint64_t attr_set_ = 0;
  Counters counters_;
};

}  // namespace vigia::bmp
