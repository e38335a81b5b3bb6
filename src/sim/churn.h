// Background churn of one collector (issue [6/7] item 2): the stream of
// BGP updates its sessions send over the window besides the scenario's
// injected events — flaps (a withdrawal and the return of the same route
// seconds to minutes later), path changes (the origin prepends itself for
// a while, then the best path returns) and longer withdrawals (half an hour
// to six hours) — at a set number of prefix updates per day over all
// collectors, spread over the peers by a Zipf law (a few noisy peers send
// most of it, most peers are quiet), as in RIS and RouteViews, where the
// noisiest peers send orders of magnitude more updates than the median.
//
// Churn touches only prefixes routed from their plain announcement (not a
// prefix of an injected event), with the paths of PeerPaths or the same
// paths origin-prepended, so it injects nothing a detector should flag and
// every path stays valley-free.
//
// A ChurnStream yields messages in time order with memory bounded by the
// routes out at one time (a heap of pending returns), so a day of 100 M+
// prefix updates is written without being held. It depends only on its
// seed and inputs: each collector's stream is independent of the others,
// so collectors can be written on several threads with identical bytes.
// Not thread-safe; the inputs it references must outlive it.
#pragma once

#include <cstdint>
#include <queue>
#include <span>
#include <vector>

#include "core/ip.h"
#include "sim/rib_builder.h"
#include "sim/rng.h"

namespace vigia::sim {

struct ChurnConfig {
  uint64_t prefix_updates_per_day = 0;  // over all collectors and sessions
  uint64_t seed = 1;
  int64_t window_start = 0;  // seconds since the epoch
  uint32_t days = 1;
  size_t total_peers = 0;  // peer slots over all collectors (the Zipf ranks)
  // RIB prefixes with origin_slot below this are plain announcements and may
  // churn; the others carry an injected event's routing.
  uint32_t plain_origin_slots = 0;
};

// One session of the collector: its PeerPaths slot and address family.
struct ChurnSession {
  size_t peer_slot = 0;
  Family family = Family::kIpv4;
};

// One UPDATE: the prefixes rib[rib_begin, rib_begin + count) (one origin
// slot, so one path) withdrawn, or announced with the peer's path to their
// origin and the origin prepended `prepend` more times.
struct ChurnMessage {
  int64_t time_us = 0;  // microseconds since the epoch
  uint32_t session = 0;
  uint32_t rib_begin = 0;
  uint16_t count = 0;
  uint8_t prepend = 0;
  bool withdraw = false;
};

// The share of the churn a peer slot sends: Zipf (weight 1/rank) over a
// seeded permutation of the slots; sums to 1 over [0, total_peers).
double ChurnPeerShare(uint64_t seed, size_t peer_slot, size_t total_peers);

class ChurnStream {
 public:
  // `rib` sorted by prefix (IPv4 before IPv6), as written to the RIBs;
  // `collector` seeds the stream.
  ChurnStream(const ChurnConfig& config, std::span<const RibPrefix> rib, const PeerPaths& paths,
              std::vector<ChurnSession> sessions, uint32_t collector);
  // The next message in time order (ties by session, then creation); false
  // once the window is over.
  bool Next(ChurnMessage* m);
  uint64_t prefix_updates() const { return prefix_updates_; }

 private:
  struct Due {
    int64_t time_us;
    uint64_t seq;  // creation order: a total order, so output is deterministic
    ChurnMessage msg;
    bool operator>(const Due& o) const {
      return time_us != o.time_us ? time_us > o.time_us : seq > o.seq;
    }
  };
  struct SessionState {
    int64_t next_us = 0;
    int64_t gap_us = 0;  // mean time between episodes per prefix update
    uint64_t budget = 0;
  };
  void StartEpisode(uint32_t s);

  ChurnConfig config_;
  std::span<const RibPrefix> rib_;
  const PeerPaths& paths_;
  std::vector<ChurnSession> sessions_;
  std::vector<SessionState> state_;
  size_t v6_begin_ = 0;  // first IPv6 prefix of rib_
  int64_t end_us_ = 0;
  Rng rng_;
  uint64_t seq_ = 0, prefix_updates_ = 0;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
};

}  // namespace vigia::sim
