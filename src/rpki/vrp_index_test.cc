#include "rpki/vrp_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "core/prefix_trie.h"
#include "rpki/vrp.h"

namespace vigia::rpki {
namespace {

// The index must give exactly the covering VRPs a plain binary trie gives,
// on random, heavily nested sets of both families. The last rounds are
// large enough for the radix sort of IPv4 keys (4096 and more).
TEST(VrpIndex, AgreesWithThePrefixTrieOnRandomData) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 20; ++round) {
    std::vector<Vrp> vrps;
    PrefixTrie<uint32_t> trie;
    auto random_prefix = [&](bool v6) {
      uint8_t b[16] = {0};
      // A small address space so that prefixes nest and repeat.
      b[0] = static_cast<uint8_t>(v6 ? 0x20 : 10 + rng() % 3);
      b[1] = static_cast<uint8_t>(rng() % 4);
      b[2] = static_cast<uint8_t>(rng() % 4 * 64);
      b[v6 ? 12 : 3] = static_cast<uint8_t>(rng() % 2 * 128);
      const int width = v6 ? 128 : 32;
      const int len = static_cast<int>(rng() % (width + 1));
      return Prefix(IpAddress::FromBytes(v6 ? Family::kIpv6 : Family::kIpv4, b),
                    static_cast<uint8_t>(len))
          .Masked();
    };
    const int count = round < 18 ? 300 : 6000;
    for (int i = 0; i < count; ++i) {
      Prefix p = random_prefix(rng() % 3 == 0);
      vrps.push_back({p, p.length(), static_cast<Asn>(rng() % 5), 0});
      trie.Insert(p, static_cast<uint32_t>(vrps.size() - 1));
    }
    VrpIndex index;
    index.Build(vrps);
    for (int q = 0; q < (count > 300 ? 100 : 2000); ++q) {
      Prefix p = random_prefix(rng() % 3 == 0);
      std::set<uint32_t> a, b;
      index.ForEachCovering(p, [&](uint32_t v) { a.insert(v); });
      trie.ForEachCovering(p, [&](const Prefix&, uint32_t v) { b.insert(v); });
      ASSERT_EQ(a, b) << p.ToString() << " round " << round;
    }
  }
}

TEST(VrpIndex, EmptyIndexFindsNothing) {
  VrpIndex index;
  index.Build({});
  int n = 0;
  index.ForEachCovering(*Prefix::Parse("0.0.0.0/0"), [&](uint32_t) { ++n; });
  EXPECT_EQ(n, 0);
}

TEST(VrpIndex, DefaultRoutesAndHostRoutes) {
  std::vector<Vrp> vrps = {
      {*Prefix::Parse("0.0.0.0/0"), 32, 1, 0},
      {*Prefix::Parse("255.255.255.255/32"), 32, 2, 0},
      {*Prefix::Parse("::/0"), 128, 3, 0},
      {*Prefix::Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 128, 4, 0}};
  VrpIndex index;
  index.Build(vrps);
  std::set<uint32_t> got;
  index.ForEachCovering(*Prefix::Parse("255.255.255.255/32"), [&](uint32_t v) { got.insert(v); });
  EXPECT_EQ(got, (std::set<uint32_t>{0, 1}));
  got.clear();
  index.ForEachCovering(*Prefix::Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
                        [&](uint32_t v) { got.insert(v); });
  EXPECT_EQ(got, (std::set<uint32_t>{2, 3}));
}

}  // namespace
}  // namespace vigia::rpki
