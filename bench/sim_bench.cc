// Simulation at scale (issue [3/5]): routes from every origin of a real
// prefix -> origin table to the peers of a collector over a real AS graph,
// and the collector's TABLE_DUMP_V2 RIB written with the MRT writer. Prints
// the time of each step; run it under /usr/bin/time for the peak memory.
//
// Usage: sim_bench AS_REL PREFIX_ORIGINS OUT.mrt[.gz] [PEERS] [THREADS]
//        sim_bench --synthetic ASES PREFIXES OUT.mrt[.gz] [PEERS] [THREADS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/prefix_origins.h"
#include "sim/rib_builder.h"
#include "sim/synthetic_topology.h"
#include "topology/as_relationships.h"

namespace {
using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: sim_bench AS_REL PREFIX_ORIGINS OUT.mrt[.gz] [PEERS] [THREADS]\n");
    return 2;
  }
  const bool synthetic = std::string(argv[1]) == "--synthetic";
  const int k = synthetic ? 1 : 0;  // --synthetic shifts the arguments by one
  if (argc < 4 + k) {
    std::fprintf(stderr, "usage: sim_bench --synthetic ASES PREFIXES OUT [PEERS] [THREADS]\n");
    return 2;
  }
  const char* out = argv[3 + k];
  const size_t npeers = argc > 4 + k ? std::strtoul(argv[4 + k], nullptr, 10) : 50;
  const unsigned threads = argc > 5 + k ? static_cast<unsigned>(std::atoi(argv[5 + k])) : 0;
  auto t = Clock::now();
  vigia::topology::AsRelationships real_graph;
  vigia::sim::SyntheticInternet net;
  vigia::sim::PrefixOriginTable table;
  std::vector<vigia::sim::PrefixOrigin> routes;
  if (synthetic) {
    vigia::sim::SyntheticConfig config;
    config.ases = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
    config.prefixes = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
    auto made = vigia::sim::GenerateTopology(config);
    if (!made.ok()) {
      std::fprintf(stderr, "%s\n", made.status().message().c_str());
      return 2;
    }
    net = std::move(made).value();
    std::printf("synthetic: %zu ASes, %zu links, %zu announcements in %.2f s\n",
                net.graph.as_count(), net.graph.link_count(), net.announcements.size(), Since(t));
    for (const vigia::sim::Announcement& a : net.announcements)
      routes.push_back({a.prefix, a.origin});
  } else {
    if (auto s = real_graph.LoadFile(argv[1]); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 2;
    }
    std::printf("graph: %zu ASes, %zu links in %.2f s\n", real_graph.as_count(),
                real_graph.link_count(), Since(t));
    t = Clock::now();
    if (auto s = table.LoadFile(argv[2]); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 2;
    }
    std::printf("prefixes: %zu (skipped %zu) in %.2f s\n", table.routes().size(), table.skipped(),
                Since(t));
    routes = table.routes();
  }
  const vigia::topology::AsRelationships& g = synthetic ? net.graph : real_graph;

  // Collector peers: the ASes with the most customers, as route collectors
  // peer mostly with large transit networks.
  std::vector<uint32_t> by_customers(g.as_count());
  std::iota(by_customers.begin(), by_customers.end(), 0u);
  std::stable_sort(by_customers.begin(), by_customers.end(), [&](uint32_t a, uint32_t b) {
    return g.Customers(a).size() > g.Customers(b).size();
  });
  by_customers.resize(std::min(npeers, by_customers.size()));
  const std::vector<uint32_t>& peers = by_customers;

  // Origins in the graph, each once; prefixes whose origin is not in the
  // graph are left out (and counted).
  t = Clock::now();
  std::unordered_map<uint32_t, uint32_t> slot_of;  // dense index -> origin slot
  std::vector<uint32_t> origins;
  std::vector<vigia::sim::RibPrefix> rib;
  size_t unknown = 0;
  for (const vigia::sim::PrefixOrigin& r : routes) {
    auto i = g.Index(r.origin);
    if (!i) {
      ++unknown;
      continue;
    }
    auto [it, fresh] = slot_of.try_emplace(*i, static_cast<uint32_t>(origins.size()));
    if (fresh) origins.push_back(*i);
    rib.push_back({r.prefix, it->second});
  }
  std::sort(rib.begin(), rib.end(),
            [](const auto& a, const auto& b) { return a.prefix < b.prefix; });
  std::printf("rib: %zu prefixes from %zu origins (%zu prefixes of origins not in the graph)\n",
              rib.size(), origins.size(), unknown);

  t = Clock::now();
  const vigia::sim::PeerPaths paths = vigia::sim::PeerPaths::Compute(g, peers, origins, threads);
  const double route_s = Since(t);
  std::printf("routing: %zu origins x %zu peers in %.2f s (%.2f ms per origin), %zu path hops\n",
              origins.size(), peers.size(), route_s,
              1000.0 * route_s / static_cast<double>(std::max<size_t>(1, origins.size())),
              paths.total_hops());

  t = Clock::now();
  vigia::sim::Collector c;
  c.name = "sim-bench";
  c.id = vigia::IpAddress::V4(0xC0000201);
  std::vector<size_t> slots;
  for (size_t i = 0; i < peers.size(); ++i) {
    c.peers.push_back({peers[i], vigia::IpAddress::V4(0x0A000000 + static_cast<uint32_t>(i) + 1),
                       vigia::IpAddress::V4(0x0A000000 + static_cast<uint32_t>(i) + 1)});
    slots.push_back(i);
  }
  auto st = vigia::sim::WriteCollectorRib(out, c, slots, paths, rib, 1700000000);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.status().message().c_str());
    return 2;
  }
  std::printf("mrt: %llu RIB records, %llu entries written in %.2f s\n",
              static_cast<unsigned long long>(st->prefixes),
              static_cast<unsigned long long>(st->entries), Since(t));
  return 0;
}
