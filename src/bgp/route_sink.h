// RouteSink: the route events every feed produces and every consumer of
// routes takes. A feed (the MRT reader's mrt::RouteFeed today; BMP, a BGP
// speaker or RIS Live later) turns its input into these calls; a consumer
// (observe::ObservedRoutes, a test's recorder) implements them and never
// sees the input format.
//
// Contract, for feeds and sinks alike:
//  - Peers. A feed names each BGP session it reports on with a PeerHandle,
//    small and dense from 0, stable for the feed's lifetime, and calls
//    Peer() once per handle before any other event naming it. Handles of
//    two feeds are unrelated: a sink that takes several feeds maps them.
//  - Order. Events come in input order, which for one peer is time order
//    within a file (RIB dumps are a snapshot at their record's time).
//    Announce() replaces that peer's earlier route for (prefix, path_id)
//    (RFC 4271 §3.1); Withdraw() ends it; SessionDown() ends every route
//    of the peer (RFC 4271 §8.2.2: leaving Established drops them).
//  - Errors. Input that cannot be used never stops a feed: a route whose
//    attributes are malformed arrives as Withdraw() with cause
//    kTreatAsWithdraw (RFC 7606 §2), and everything skipped, discarded or
//    repaired is told to Problem() with where it was. Session reset does not
//    exist for a feed: the worst a bad route does is withdraw itself.
//  - Lifetime. References passed to a call (attributes, peer info,
//    problem text) are valid during the call only; a sink copies what it
//    keeps. Events with equal Route::attr_set carry the same attributes,
//    so a sink may reuse what it derived from them (an interned path).
//
// Thread safety: a feed calls its sink from one thread at a time; a sink
// need not lock unless it is shared between feeds running concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bgp/path_attributes.h"
#include "core/asn.h"
#include "core/ip.h"

namespace vigia::bgp {

using PeerHandle = uint32_t;

// One BGP session as the feed sees it.
struct PeerInfo {
  std::string_view collector;  // the vantage point's name ("rrc00", a BMP station)
  IpAddress ip;                // the peer's address
  Asn asn = 0;                 // the peer's AS
  IpAddress bgp_id;            // BGP Identifier when the input has it, else 0.0.0.0
};

// Seconds since the epoch plus microseconds (RFC 6396 §3 _ET records; BMP
// per-peer headers). microseconds is 0 where the input has only seconds.
struct RouteTime {
  uint32_t seconds = 0;
  uint32_t microseconds = 0;
};

// Where a route event came from: a table snapshot states what the peer had
// at that time (TABLE_DUMP_V2, BMP Route Monitoring of a Loc-RIB dump); an
// update is a change (BGP4MP, a live UPDATE).
enum class RouteSource : uint8_t { kTableSnapshot, kUpdate };

// Which route an event is about.
struct Route {
  PeerHandle peer = 0;
  RouteTime time;
  RouteSource source = RouteSource::kUpdate;
  Prefix prefix;
  uint32_t path_id = 0;  // RFC 7911 path identifier; 0 without ADD-PATH
  uint16_t afi = kAfiIpv4;
  uint8_t safi = kSafiUnicast;
  // RFC 4364 route distinguisher of a VPN route (safi kSafiMplsVpn), as in
  // NlriEntry::rd; 0 otherwise. A route's key is (prefix, path_id, rd) in
  // its (afi, safi). Feeds that pass labeled SAFIs (4, 128) set it; a sink
  // that wants the global table skips IsLabeledSafi(safi).
  uint64_t rd = 0;
  // Identifies the attribute set of an Announce(); events with the same
  // value carry the same attributes. Not meaningful for Withdraw().
  uint64_t attr_set = 0;
};

enum class WithdrawCause : uint8_t {
  kWithdrawn,        // the peer withdrew the route (RFC 4271 §4.3, RFC 4760 §4)
  kTreatAsWithdraw,  // its attributes were malformed (RFC 7606 §2); see Problem()
};

// Something in the input that was skipped, discarded or repaired.
struct FeedProblem {
  enum class Kind : uint8_t {
    kNote,                // a quirk of the input corrected; nothing lost
    kRepaired,            // a record decoded after a repair (e.g. undeclared ADD-PATH)
    kRecordSkipped,       // a record could not be used
    kBytesSkipped,        // bytes between records passed over (damaged framing)
    kTruncated,           // the input ends inside a record: always an error
    kStream,              // the decompressor stopped (cut or corrupt stream)
    kAttributeDiscarded,  // RFC 7606 attribute discard; the route stands
    kRouteWithdrawn,      // RFC 7606 treat-as-withdraw
  };
  static constexpr uint64_t kNoOffset = UINT64_MAX;

  Kind kind = Kind::kRecordSkipped;
  std::string_view where;  // the input's name (a file path, a BMP station)
  uint64_t offset = 0;     // of the record in the (decompressed) input, or kNoOffset
  std::string_view message;

  // "<where>: offset <n>: <message>"; a message that already names the
  // input (decompressors' do) is kept whole, the offset appended.
  std::string ToString() const {
    const bool named = message.substr(0, where.size()) == where;
    if (offset == kNoOffset) {
      return named ? std::string(message) : std::string(where) + ": " + std::string(message);
    }
    if (named) return std::string(message) + " (record offset " + std::to_string(offset) + ")";
    return std::string(where) + ": offset " + std::to_string(offset) + ": " + std::string(message);
  }
};

class RouteSink {
 public:
  virtual ~RouteSink() = default;

  // Introduces handle h; called once, before any event naming h.
  virtual void Peer(PeerHandle h, const PeerInfo& info) = 0;
  // The peer's route for (prefix, path_id) is now the one with attrs. attrs
  // are well-formed or had attributes discarded (RFC 7606), never worse.
  virtual void Announce(const Route& r, const PathAttributes& attrs) = 0;
  // The peer's route for (prefix, path_id) is gone.
  virtual void Withdraw(const Route& r, WithdrawCause cause) = 0;
  // The peer's session left Established at t: all its routes are gone.
  virtual void SessionDown(PeerHandle peer, RouteTime t) = 0;
  // Reports a problem; the feed goes on. Default: ignored.
  virtual void Problem(const FeedProblem& p) { (void)p; }
};

}  // namespace vigia::bgp
