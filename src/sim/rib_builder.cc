#include "sim/rib_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "mrt/writer.h"
#include "sim/routing.h"

namespace vigia::sim {

PeerPaths PeerPaths::Compute(const topology::AsRelationships& graph,
                             std::span<const uint32_t> peers, std::span<const uint32_t> origins,
                             unsigned threads) {
  PeerPaths out;
  out.origins_ = origins.size();
  out.peers_ = peers.size();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, origins.size())));
  // Threads take chunks of origins from a shared counter (the work per
  // origin varies a lot), each chunk with its own path buffer; the chunks
  // are joined in order afterwards, so the result does not depend on the
  // threads.
  struct Part {
    std::vector<Asn> asns;
    std::vector<uint32_t> lengths;  // per (origin, peer) of the chunk
  };
  constexpr size_t kChunk = 256;
  std::vector<Part> parts((origins.size() + kChunk - 1) / kChunk);
  std::atomic<size_t> next_chunk{0};
  auto work = [&] {
    Router router(graph);
    RouteTree tree;
    std::vector<uint32_t> path;
    for (size_t c; (c = next_chunk.fetch_add(1)) < parts.size();) {
      Part& part = parts[c];
      const size_t begin = c * kChunk, end = std::min(origins.size(), begin + kChunk);
      for (size_t o = begin; o < end; ++o) {
        router.Compute(origins[o], &tree);
        for (uint32_t peer : peers) {
          tree.PathFrom(peer, &path);
          for (uint32_t x : path) part.asns.push_back(graph.AsnAt(x));
          part.lengths.push_back(static_cast<uint32_t>(path.size()));
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();

  size_t total = 0;
  for (const Part& p : parts) total += p.asns.size();
  out.asns_.reserve(total);
  out.offset_.reserve(out.origins_ * out.peers_ + 1);
  out.offset_.push_back(0);
  for (Part& p : parts) {
    out.asns_.insert(out.asns_.end(), p.asns.begin(), p.asns.end());
    for (uint32_t len : p.lengths) out.offset_.push_back(out.offset_.back() + len);
    p = Part{};
  }
  return out;
}

size_t PeerPaths::Append(const std::vector<std::vector<Asn>>& per_peer) {
  if (offset_.empty()) offset_.push_back(0);
  for (size_t p = 0; p < peers_; ++p) {
    if (p < per_peer.size()) asns_.insert(asns_.end(), per_peer[p].begin(), per_peer[p].end());
    offset_.push_back(asns_.size());
  }
  return origins_++;
}

Result<RibWriteStats> WriteCollectorRib(const std::string& path, const Collector& collector,
                                        std::span<const size_t> peer_slots, const PeerPaths& paths,
                                        std::span<const RibPrefix> prefixes, uint32_t timestamp,
                                        int gzip_level) {
  if (peer_slots.size() != collector.peers.size()) {
    return Status::InvalidArgument(fmt::format("{}: {} peers but {} path slots", path,
                                               collector.peers.size(), peer_slots.size()));
  }
  if (collector.peers.size() > 65535) {
    return Status::LimitExceeded(path + ": more than 65,535 peers (RFC 6396 §4.3.1 peer index)");
  }
  auto w = mrt::MrtWriter::Create(path, gzip_level);
  if (!w.ok()) return w.status();
  mrt::PeerIndexTable table;
  table.collector_id = collector.id;
  table.view_name = collector.name;
  std::vector<Asn> peer_asn(collector.peers.size());
  for (size_t i = 0; i < collector.peers.size(); ++i) {
    const CollectorPeer& p = collector.peers[i];
    mrt::PeerEntry e;
    e.bgp_id = p.bgp_id;
    e.ip = p.ip;
    const size_t slot = peer_slots[i];
    // The peer's ASN is the first AS of any path it has; the graph gives it
    // too, but a peer may have no route at all.
    e.asn = p.asn;
    for (size_t o = 0; o < paths.origin_count() && e.asn == 0; ++o) {
      auto pa = paths.Path(o, slot);
      if (!pa.empty()) e.asn = pa.front();
    }
    peer_asn[i] = e.asn;
    table.peers.push_back(e);
  }
  if (Status s = (*w)->WritePeerIndexTable(timestamp, table); !s.ok()) return s;

  RibWriteStats stats;
  mrt::Rib rib;
  rib.safi = bgp::kSafiUnicast;
  uint32_t sequence = 0;
  // Neighbouring prefixes mostly share their origin (an AS's allocations lie
  // together), and then every entry is the same: rebuilding the entries was
  // a fifth of the time of a 100-peer RIB (perf), so they are kept.
  uint32_t last_slot = UINT32_MAX;
  Family last_family = Family::kIpv4;
  for (const RibPrefix& rp : prefixes) {
    const bool v6 = rp.prefix.family() == Family::kIpv6;
    rib.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
    rib.prefix = rp.prefix;
    if (rp.origin_slot == last_slot && rp.prefix.family() == last_family) {
      if (rib.entry_count == 0) continue;
      rib.sequence = sequence++;
      if (Status s = (*w)->WriteRib(timestamp, rib); !s.ok()) return s;
      ++stats.prefixes;
      stats.entries += rib.entry_count;
      continue;
    }
    last_slot = rp.origin_slot;
    last_family = rp.prefix.family();
    rib.entry_count = 0;
    for (size_t i = 0; i < collector.peers.size(); ++i) {
      if (collector.peers[i].family && *collector.peers[i].family != rp.prefix.family()) continue;
      const std::span<const Asn> as_path = paths.Path(rp.origin_slot, peer_slots[i]);
      if (as_path.empty()) continue;
      if (rib.entries.size() <= rib.entry_count) rib.entries.resize(rib.entry_count + 1);
      mrt::RibEntry& e = rib.entries[rib.entry_count++];
      e.peer_index = static_cast<uint16_t>(i);
      e.originated_time = timestamp;
      e.path_id = 0;
      bgp::PathAttributes& at = e.attrs;
      at.Clear();
      at.Set(bgp::kAttrOrigin);
      at.origin = 0;  // IGP
      at.Set(bgp::kAttrAsPath);
      at.as_path.segments.push_back(
          {bgp::kAsSequence, static_cast<uint16_t>(std::min<size_t>(as_path.size(), 255))});
      at.as_path.asns.assign(as_path.begin(),
                             as_path.begin() + std::min<size_t>(as_path.size(), 255));
      const IpAddress& nh = collector.peers[i].ip;
      if (v6 || nh.is_v6()) {
        // RFC 6396 §4.3.4: the MP_REACH_NLRI of a RIB entry holds only the
        // next hop.
        bgp::MpReach& m = at.AddMpReach();
        m.abbreviated = true;
        m.next_hop = nh;
        m.next_hop_length = nh.is_v6() ? 16 : 4;
      } else {
        at.Set(bgp::kAttrNextHop);
        at.next_hop = nh;
      }
    }
    if (rib.entry_count == 0) continue;
    rib.sequence = sequence++;
    if (Status s = (*w)->WriteRib(timestamp, rib); !s.ok()) return s;
    ++stats.prefixes;
    stats.entries += rib.entry_count;
  }
  if (Status s = (*w)->Close(); !s.ok()) return s;
  return stats;
}

}  // namespace vigia::sim
