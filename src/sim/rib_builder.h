// From routes to collector RIBs: the AS path every collector peer has to
// every origin, and TABLE_DUMP_V2 files (RFC 6396 §4.3) written with the MRT
// writer, one per collector, as RIS and RouteViews publish them.
//
// A path depends on the origin AS, not on the prefix, so paths are computed
// once per origin (sim/routing.h, over several threads) and shared by all of
// that origin's prefixes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "sim/prefix_origins.h"
#include "topology/as_relationships.h"

namespace vigia::sim {

// A BGP session of a collector: the peer's AS (dense index of the graph)
// and addresses.
struct CollectorPeer {
  uint32_t as = 0;
  IpAddress ip;
  IpAddress bgp_id;
  Asn asn = 0;  // 0: the first AS of any of its paths
  // A session of one address family gets only that family's routes, as
  // collectors run separate IPv4 and IPv6 sessions; unset: both.
  std::optional<Family> family;
};

struct Collector {
  std::string name;  // also the PEER_INDEX_TABLE view name
  IpAddress id;      // collector BGP identifier
  std::vector<CollectorPeer> peers;
};

// The path of each of `peers` to each of `origins` (dense indexes).
class PeerPaths {
 public:
  // threads 0: one per core. The result does not depend on the number of
  // threads.
  static PeerPaths Compute(const topology::AsRelationships& graph, std::span<const uint32_t> peers,
                           std::span<const uint32_t> origins, unsigned threads = 0);

  size_t origin_count() const { return origins_; }
  size_t peer_count() const { return peers_; }
  // AS_PATH order (the peer first, the origin last), as ASNs; empty when
  // the peer has no route to the origin.
  std::span<const Asn> Path(size_t origin_slot, size_t peer_slot) const {
    const size_t k = origin_slot * peers_ + peer_slot;
    return {asns_.data() + offset_[k], offset_[k + 1] - offset_[k]};
  }
  size_t total_hops() const { return asns_.size(); }
  // Adds a slot with the given path of each peer (per_peer.size() must be
  // peer_count()), e.g. for a prefix with several origins; returns it.
  size_t Append(const std::vector<std::vector<Asn>>& per_peer);

 private:
  size_t origins_ = 0, peers_ = 0;
  std::vector<uint64_t> offset_;  // origins_ * peers_ + 1
  std::vector<Asn> asns_;
};

// One RIB prefix: the prefix and the slot of its origin in PeerPaths.
struct RibPrefix {
  Prefix prefix;
  uint32_t origin_slot = 0;
};

struct RibWriteStats {
  uint64_t prefixes = 0;  // RIB records
  uint64_t entries = 0;   // RIB entries (prefix, peer)
};

// Writes a TABLE_DUMP_V2 RIB of `collector` (PEER_INDEX_TABLE, then one
// RIB_IPV4/IPV6_UNICAST record per prefix with an entry for each of its
// peers that has a route) to `path` (.gz compresses). `peer_slots[i]` is
// the PeerPaths slot of collector.peers[i]. Prefixes are written in the
// order given; a prefix no peer reaches is left out.
Result<RibWriteStats> WriteCollectorRib(const std::string& path, const Collector& collector,
                                        std::span<const size_t> peer_slots, const PeerPaths& paths,
                                        std::span<const RibPrefix> prefixes, uint32_t timestamp,
                                        int gzip_level = 6);

}  // namespace vigia::sim
