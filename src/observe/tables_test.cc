#include "observe/tables.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace vigia::observe {
namespace {

uint64_t AllCollide(std::span<const Asn>, bool) { return 42; }

TEST(PathTable, SamePathSameIdInFirstSeenOrder) {
  PathTable t;
  const std::vector<Asn> a{1, 2, 3}, b{1, 2}, c{};
  EXPECT_EQ(t.Intern(a, false), 0u);
  EXPECT_EQ(t.Intern(b, false), 1u);
  EXPECT_EQ(t.Intern(a, true), 2u);  // an AS_SET makes another path
  EXPECT_EQ(t.Intern(c, false), 3u);
  EXPECT_EQ(t.Intern(a, false), 0u);
  EXPECT_EQ(t.Intern(c, false), 3u);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(std::vector<Asn>(t.Get(0).begin(), t.Get(0).end()), a);
  EXPECT_EQ(t.Origin(0), 3u);
  EXPECT_EQ(t.Origin(2), 0u);  // has a set: origin unknown
  EXPECT_EQ(t.Origin(3), 0u);  // empty
}

TEST(PathTable, CanonicalizeNumbersPathsInPathOrder) {
  for (PathTable::HashFn hash : {&HashPath, &AllCollide}) {
    PathTable t(hash);
    std::mt19937 rng(7);
    std::vector<std::pair<std::vector<Asn>, bool>> paths;
    for (int i = 0; i < (hash == &HashPath ? 70'000 : 300); ++i) {
      std::vector<Asn> p(rng() % 6);
      for (Asn& a : p) a = rng() % 50;
      const bool set = rng() % 7 == 0;
      paths.emplace_back(p, set);
      t.Intern(p, set);
    }
    std::vector<std::vector<Asn>> before;
    for (uint32_t id = 0; id < t.size(); ++id)
      before.emplace_back(t.Get(id).begin(), t.Get(id).end());
    const size_t n = t.size();
    const std::vector<uint32_t> moved = t.Canonicalize();
    ASSERT_EQ(moved.size(), n);
    ASSERT_EQ(t.size(), n);
    for (uint32_t id = 0; id < n; ++id) {
      EXPECT_EQ(std::vector<Asn>(t.Get(moved[id]).begin(), t.Get(moved[id]).end()), before[id]);
      if (id > 0) {
        EXPECT_TRUE(PathLess(t.Get(id - 1), t.HasSet(id - 1), t.Get(id), t.HasSet(id)));
      }
    }
    // The table still finds every path, under its new id.
    for (const auto& [p, set] : paths) {
      const uint32_t id = t.Intern(p, set);
      EXPECT_EQ(std::vector<Asn>(t.Get(id).begin(), t.Get(id).end()), p);
      EXPECT_EQ(t.HasSet(id), set);
    }
    EXPECT_EQ(t.size(), n);
  }
}

TEST(PathTable, HashCollisionsAreToldApartByContent) {
  PathTable t(&AllCollide);
  std::vector<std::vector<Asn>> paths;
  for (Asn i = 0; i < 3000; ++i) paths.push_back({i, i + 1, i % 7});
  for (size_t i = 0; i < paths.size(); ++i) EXPECT_EQ(t.Intern(paths[i], false), i);
  for (size_t i = 0; i < paths.size(); ++i) EXPECT_EQ(t.Intern(paths[i], false), i);
  EXPECT_EQ(t.Intern(paths[5], true), paths.size());
  EXPECT_EQ(t.size(), paths.size() + 1);
}

TEST(PathTable, ManyPathsSurviveGrowth) {
  PathTable t;
  std::mt19937 rng(7);
  std::vector<std::vector<Asn>> paths;
  for (int i = 0; i < 50000; ++i) {
    std::vector<Asn> p(1 + rng() % 8);
    for (Asn& a : p) a = rng() % 100;
    paths.push_back(p);
  }
  std::vector<uint32_t> ids;
  for (const auto& p : paths) ids.push_back(t.Intern(p, false));
  for (size_t i = 0; i < paths.size(); ++i) {
    ASSERT_EQ(t.Intern(paths[i], false), ids[i]);
    ASSERT_TRUE(std::ranges::equal(t.Get(ids[i]), paths[i]));
  }
}

TEST(PrefixIndex, DenseIdsInFirstSeenOrderAcrossFamilies) {
  PrefixIndex idx;
  std::vector<Prefix> values;
  std::vector<Prefix> in;
  for (uint32_t i = 0; i < 5000; ++i) {
    in.push_back(Prefix(IpAddress::V4(0x0A000000u + (i << 8)), 24));
    in.push_back(*Prefix::Parse("2001:db8::/" + std::to_string(32 + i % 90)));
  }
  in.push_back(*Prefix::Parse("10.0.0.0/8"));
  in.push_back(*Prefix::Parse("10.0.0.0/9"));
  std::vector<uint32_t> ids;
  for (const Prefix& p : in) ids.push_back(idx.FindOrAdd(p, &values));
  for (size_t i = 0; i < in.size(); ++i) {
    ASSERT_EQ(idx.FindOrAdd(in[i], &values), ids[i]);
    ASSERT_EQ(values[ids[i]], in[i]);
  }
  // 5,000 IPv4 /24s, 90 distinct IPv6 lengths, 2 more.
  EXPECT_EQ(values.size(), 5000u + 90u + 2u);
  for (uint32_t i = 0; i < values.size(); ++i) EXPECT_EQ(idx.FindOrAdd(values[i], &values), i);
}

// Sorted by SortByPrefix, checked to equal OrderByPrefix's order.
std::vector<Sighting> Sorted(std::vector<Sighting> s, size_t prefixes) {
  const std::vector<uint32_t> order = OrderByPrefix(s, prefixes, true);
  std::vector<Sighting> moved = s;
  SortByPrefix(&moved, prefixes);
  EXPECT_EQ(moved.size(), order.size());
  for (size_t i = 0; i < order.size() && i < moved.size(); ++i) {
    const Sighting& want = s[order[i]];
    EXPECT_EQ(std::tie(moved[i].prefix, moved[i].peer, moved[i].path, moved[i].start, moved[i].end),
              std::tie(want.prefix, want.peer, want.path, want.start, want.end))
        << i;
  }
  return moved;
}

TEST(SightingOrder, EmptyInput) {
  EXPECT_TRUE(Sorted({}, 0).empty());
  EXPECT_TRUE(Sorted({}, 10).empty());
}

TEST(SightingOrder, MatchesAStableSortOnRunsAndRandomInput) {
  std::mt19937 rng(3);
  for (int round = 0; round < 20; ++round) {
    const uint32_t prefixes = 1 + rng() % 500, peers = 1 + rng() % 80;
    std::vector<Sighting> s;
    // Pre-sorted runs like RIB dumps, then random updates with ties.
    for (int run = 0; run < 3; ++run) {
      for (uint32_t p = 0; p < prefixes; ++p)
        for (uint32_t q = run * peers; q < (run + 1) * peers; q += 1 + rng() % 3)
          s.push_back({p, q, static_cast<uint32_t>(rng() % 5), 1000, 0});
    }
    const size_t updates = rng() % 5000;
    for (size_t i = 0; i < updates; ++i)
      s.push_back({static_cast<uint32_t>(rng() % prefixes), static_cast<uint32_t>(rng() % peers),
                   static_cast<uint32_t>(i), 1000 + static_cast<uint32_t>(rng() % 50), 0});
    std::vector<Sighting> want = s;
    std::stable_sort(want.begin(), want.end(), [](const Sighting& a, const Sighting& b) {
      return std::tie(a.prefix, a.peer, a.start) < std::tie(b.prefix, b.peer, b.start);
    });
    const std::vector<Sighting> got = Sorted(s, prefixes);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(std::tie(got[i].prefix, got[i].peer, got[i].start, got[i].path),
                std::tie(want[i].prefix, want[i].peer, want[i].start, want[i].path))
          << "round " << round << " at " << i;
    }
  }
}

TEST(SightingOrder, ByPrefixAndPeerKeepsLaterDumpsLast) {
  const std::vector<Sighting> s{
      {1, 2, 10, 5, 0}, {0, 1, 11, 5, 0}, {1, 2, 12, 9, 0}, {1, 0, 13, 9, 0}, {0, 1, 14, 1, 0}};
  const std::vector<uint32_t> order = OrderByPrefix(s, 2, /*by_start=*/false);
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 4, 3, 0, 2}));
  // The runs: prefix 0 at [0, 2), prefix 1 at [2, 5); prefix 2 has none.
  std::vector<uint32_t> runs;
  EXPECT_EQ(OrderByPrefix(s, 3, /*by_start=*/false, &runs), order);
  EXPECT_EQ(runs, (std::vector<uint32_t>{0, 2, 5, 5}));
}

}  // namespace
}  // namespace vigia::observe
