#include "sim/routing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <tuple>

#include "core/test_util.h"
#include "sim/test_graphs.h"

namespace vigia::sim {
namespace {

using topology::AsRelationships;
using topology::LinkType;

// A random graph without provider cycles: providers always come earlier in
// the ordering; peers anywhere not already linked.
AsRelationships RandomGraph(uint64_t seed, uint32_t n, double p2c, double p2p) {
  std::mt19937_64 rng(seed);
  auto coin = [&](double p) { return static_cast<double>(rng() % 1'000'000) < p * 1e6; };
  AsRelationships g;
  std::vector<Asn> asn(n);
  for (uint32_t i = 0; i < n; ++i) asn[i] = 1000 + i * 7 + static_cast<Asn>(rng() % 7);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t j = i + 1; j < n; ++j) {
      if (coin(p2c)) {
        g.AddLink(asn[i], asn[j], LinkType::kP2c);
      } else if (coin(p2p)) {
        g.AddLink(asn[i], asn[j], LinkType::kP2p);
      }
    }
  }
  g.Build();
  return g;
}

// What BGP converges to, found the slow way: every AS repeatedly picks the
// best route its neighbours export to it until nothing changes.
struct Ref {
  RouteType type = RouteType::kNone;
  uint32_t length = 0;
  uint32_t next = RouteTree::kNoHop;
};
// The path u's current route follows, u first (next pointers, as BGP's
// AS_PATH would read at this moment).
std::vector<uint32_t> RefPath(const std::vector<Ref>& r, uint32_t u) {
  std::vector<uint32_t> p;
  for (uint32_t x = u; p.size() <= r.size(); x = r[x].next) {
    p.push_back(x);
    if (r[x].type == RouteType::kOrigin || r[x].type == RouteType::kNone) break;
  }
  return p;
}
// With `leak`, the AS leak.first also sends its route to leak.second, a
// provider or peer that the export rule says it must not send it to.
using Leak = std::pair<uint32_t, uint32_t>;
constexpr Leak kNoLeak = {RouteTree::kNoHop, RouteTree::kNoHop};

// The best route v can pick from what its neighbours export to it in state
// r. With `leak`, the AS leak.first also sends its route to leak.second, a
// provider or peer the export rule says it must not send it to.
Ref BestOffer(const AsRelationships& g, const std::vector<Ref>& r, uint32_t v, Leak leak) {
  Ref best;
  auto consider = [&](uint32_t u, RouteType as_seen) {
    const Ref& ru = r[u];
    if (ru.type == RouteType::kNone) return;
    // Export rule: customer and own routes to all, others only down.
    const bool exports = ru.type == RouteType::kOrigin || ru.type == RouteType::kCustomer ||
                         as_seen == RouteType::kProvider || (u == leak.first && v == leak.second);
    if (!exports) return;
    const std::vector<uint32_t> up = RefPath(r, u);
    if (std::find(up.begin(), up.end(), v) != up.end()) return;
    const auto key = std::make_tuple(as_seen, ru.length + 1, g.AsnAt(u));
    if (best.type == RouteType::kNone ||
        key < std::make_tuple(best.type, best.length, g.AsnAt(best.next))) {
      best.type = as_seen;
      best.length = ru.length + 1;
      best.next = u;
    }
  };
  for (uint32_t u : g.Customers(v)) consider(u, RouteType::kCustomer);
  for (uint32_t u : g.Peers(v)) consider(u, RouteType::kPeer);
  for (uint32_t u : g.Providers(v)) consider(u, RouteType::kProvider);
  return best;
}

std::vector<Ref> Converge(const AsRelationships& g, std::vector<uint32_t> origins,
                          Leak leak = kNoLeak) {
  const uint32_t n = static_cast<uint32_t>(g.as_count());
  std::vector<Ref> r(n);
  for (uint32_t origin : origins) r[origin] = {RouteType::kOrigin, 1, origin};
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t v = 0; v < n; ++v) {
      if (r[v].type == RouteType::kOrigin) continue;
      Ref best = BestOffer(g, r, v, leak);
      if (best.type != r[v].type || best.length != r[v].length || best.next != r[v].next) {
        r[v] = std::move(best);
        changed = true;
      }
    }
  }
  return r;
}

TEST(Router, AgreesWithConvergedBgpOnRandomGraphs) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    // Sparse and dense graphs, with and without much peering.
    const AsRelationships g = RandomGraph(seed, 30 + static_cast<uint32_t>(seed % 4) * 10,
                                          seed % 2 ? 0.05 : 0.12, seed % 3 ? 0.03 : 0.10);
    Router router(g);
    RouteTree t;
    std::vector<uint32_t> path;
    for (uint32_t origin = 0; origin < g.as_count(); origin += 3) {
      // One origin, and (every other time) a second one as in a hijack.
      std::vector<uint32_t> origins = {origin};
      if (origin % 2 == 0)
        origins.push_back((origin * 7 + 5) % static_cast<uint32_t>(g.as_count()));
      router.Compute(origins, &t);
      const std::vector<Ref> ref = Converge(g, origins);
      for (uint32_t v = 0; v < g.as_count(); ++v) {
        ASSERT_EQ(t.type[v], ref[v].type) << "seed " << seed << " origin " << origin << " as " << v;
        if (ref[v].type == RouteType::kNone) continue;
        ASSERT_EQ(t.length[v], ref[v].length) << "seed " << seed << " as " << v;
        ASSERT_EQ(t.next_hop[v], ref[v].next) << "seed " << seed << " as " << v;
        t.PathFrom(v, &path);
        ASSERT_EQ(path, RefPath(ref, v));
        ASSERT_EQ(t.OriginOf(v), path.back());
        ASSERT_TRUE(IsValleyFree(g, path));
      }
    }
  }
}

// A leak (RFC 7908 types 1-4) against the slow definition: the culprit
// also exports its route to one provider or peer; everything else follows
// the rules, and an AS refuses a path that holds it already.
TEST(Router, LeakGivesAStableStateOnRandomGraphs) {
  size_t leaks = 0, types[2] = {0, 0};
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const AsRelationships g = RandomGraph(seed * 101, 30 + static_cast<uint32_t>(seed % 3) * 10,
                                          seed % 2 ? 0.06 : 0.12, seed % 3 ? 0.04 : 0.10);
    Router router(g);
    RouteTree t;
    std::vector<uint8_t> leaked;
    std::vector<uint32_t> path;
    for (uint32_t origin = 0; origin < g.as_count(); origin += 4) {
      for (uint32_t culprit = 1; culprit < g.as_count(); culprit += 3) {
        if (culprit == origin) continue;
        std::vector<uint32_t> receivers;
        for (uint32_t r : g.Providers(culprit)) receivers.push_back(r);
        for (uint32_t r : g.Peers(culprit)) receivers.push_back(r);
        router.Compute(origin, &t);
        const bool leakable =
            t.type[culprit] == RouteType::kProvider || t.type[culprit] == RouteType::kPeer;
        for (uint32_t r : receivers) {
          const bool happened = router.ComputeLeak(origin, culprit, r, &t, &leaked);
          // With a leak BGP may have more than one stable state (RFC 4264
          // "wedgies"), so the check is that the result is one: every AS
          // holds the best route its neighbours offer it.
          std::vector<Ref> state(g.as_count());
          for (uint32_t v = 0; v < g.as_count(); ++v)
            state[v] = {t.type[v], t.length[v], t.next_hop[v]};
          for (uint32_t v = 0; v < g.as_count(); ++v) {
            if (t.type[v] == RouteType::kOrigin) continue;
            const Ref best = BestOffer(g, state, v, {culprit, r});
            ASSERT_EQ(t.type[v], best.type) << "seed " << seed << " origin " << origin
                                            << " culprit " << culprit << " to " << r << " as " << v;
            if (best.type == RouteType::kNone) continue;
            ASSERT_EQ(t.length[v], best.length) << "seed " << seed << " as " << v;
            ASSERT_EQ(t.next_hop[v], best.next) << "seed " << seed << " as " << v;
            t.PathFrom(v, &path);
            // A path is valley-free exactly when it does not go through
            // the leak.
            const bool through = leakable && std::adjacent_find(path.begin(), path.end(),
                                                                [&](uint32_t a, uint32_t b) {
                                                                  return a == r && b == culprit;
                                                                }) != path.end();
            ASSERT_EQ(leaked[v] != 0, through) << "seed " << seed << " as " << v;
            ASSERT_EQ(IsValleyFree(g, path), !through) << "seed " << seed << " as " << v;
          }
          // Without a leak, the result is the unique converged state.
          if (!happened) {
            const std::vector<Ref> ref = Converge(g, {origin});
            for (uint32_t v = 0; v < g.as_count(); ++v) ASSERT_EQ(t.next_hop[v], ref[v].next);
          }
          if (happened) {
            ++leaks;
            ++types[g.RelationOf(g.AsnAt(r), g.AsnAt(culprit)) == topology::Relation::kPeer];
          }
        }
      }
    }
  }
  // Both kinds of receiver took leaks.
  EXPECT_GT(types[0], 50u);
  EXPECT_GT(types[1], 50u);
  EXPECT_EQ(leaks, types[0] + types[1]);
}

// test::HandGraph(): 1 and 2 are peers at the top; 3 and 4 are customers
// of 1, 5 a customer of 2; 6 is a stub with providers 3 and 4.
TEST(Router, PreferenceAndExportByHand) {
  AsRelationships g = test::HandGraph();
  auto idx = [&](Asn a) { return *g.Index(a); };
  Router router(g);
  RouteTree t;
  std::vector<uint32_t> path;
  auto asns = [&](Asn from) {
    t.PathFrom(idx(from), &path);
    std::vector<Asn> out;
    for (uint32_t x : path) out.push_back(g.AsnAt(x));
    return out;
  };
  router.Compute(idx(6), &t);
  // 1 hears 6 from both customers 3 and 4 at the same length: lowest ASN.
  EXPECT_EQ(asns(1), (std::vector<Asn>{1, 3, 6}));
  EXPECT_EQ(t.type[idx(1)], RouteType::kCustomer);
  EXPECT_EQ(asns(2), (std::vector<Asn>{2, 1, 3, 6}));
  EXPECT_EQ(t.type[idx(2)], RouteType::kPeer);
  EXPECT_EQ(asns(5), (std::vector<Asn>{5, 2, 1, 3, 6}));
  EXPECT_EQ(t.type[idx(5)], RouteType::kProvider);
  // 4 prefers its customer 6 directly.
  EXPECT_EQ(asns(4), (std::vector<Asn>{4, 6}));

  router.Compute(idx(5), &t);
  // 3 gets 5 only from its provider 1 (a peer route, exported down).
  EXPECT_EQ(asns(3), (std::vector<Asn>{3, 1, 2, 5}));
  EXPECT_EQ(t.type[idx(3)], RouteType::kProvider);
  // 6 hears it from 3 and 4 at the same length: lowest ASN.
  EXPECT_EQ(asns(6), (std::vector<Asn>{6, 3, 1, 2, 5}));

  // Valley: 3 -> 6 -> 4 climbs after descending.
  EXPECT_FALSE(IsValleyFree(g, std::vector<uint32_t>{idx(3), idx(6), idx(4)}));
  // Two peer links.
  g.AddLink(5, 7, LinkType::kP2p);
  g.Build();
  EXPECT_FALSE(IsValleyFree(g, std::vector<uint32_t>{*g.Index(7), idx(5), idx(2), idx(1)}));
  // A link that does not exist.
  EXPECT_FALSE(IsValleyFree(g, std::vector<uint32_t>{idx(5), idx(6)}));
}

// On the real CAIDA graph of 2022-03 every path to a sample of origins is
// valley-free and nearly every AS has a route.
TEST(Router, CaidaGraphPathsAreValleyFree) {
  const std::string f = test_util::SharedData() + "/caida/serial-1/20220301.as-rel.txt.bz2";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " is absent";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(f).ok());
  Router router(g);
  RouteTree t;
  std::vector<uint32_t> path;
  std::mt19937_64 rng(5);
  const auto start = std::chrono::steady_clock::now();
  size_t origins = 0, routed = 0, checked = 0;
  for (int k = 0; k < 40; ++k) {
    const uint32_t origin = static_cast<uint32_t>(rng() % g.as_count());
    router.Compute(origin, &t);
    ++origins;
    for (uint32_t v = 0; v < g.as_count(); ++v) routed += t.HasRoute(v);
    for (int s = 0; s < 200; ++s) {
      const uint32_t v = static_cast<uint32_t>(rng() % g.as_count());
      t.PathFrom(v, &path);
      if (path.empty()) continue;
      ASSERT_TRUE(IsValleyFree(g, path)) << "origin " << g.AsnAt(origin) << " from " << g.AsnAt(v);
      ++checked;
    }
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu origins on %zu ASes: %.2f ms per origin, %zu paths checked\n", origins,
              g.as_count(), ms / static_cast<double>(origins), checked);
  // Under the export rules some ASes hear nothing (e.g. ASes whose only
  // links are peerings with networks that have no customer route to the
  // origin); on this graph they are under 2 %.
  std::printf("routes: %zu of %zu (AS, origin) pairs\n", routed, origins * g.as_count());
  EXPECT_GT(static_cast<double>(routed), 0.98 * static_cast<double>(origins * g.as_count()));
  EXPECT_GT(checked, 7000u);
}

}  // namespace
}  // namespace vigia::sim
