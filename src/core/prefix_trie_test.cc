#include "core/prefix_trie.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigia {
namespace {

Prefix P(const char* s) { return *Prefix::Parse(s, true); }

std::set<std::string> Covering(const PrefixTrie<std::string>& t, const char* p) {
  std::set<std::string> out;
  t.ForEachCovering(P(p), [&](const Prefix&, const std::string& v) { out.insert(v); });
  return out;
}
std::set<std::string> Covered(const PrefixTrie<std::string>& t, const char* p) {
  std::set<std::string> out;
  t.ForEachCovered(P(p), [&](const Prefix&, const std::string& v) { out.insert(v); });
  return out;
}

class Trie : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.Insert(P("0.0.0.0/0"), "default");
    t_.Insert(P("10.0.0.0/8"), "ten");
    t_.Insert(P("10.1.0.0/16"), "ten-one");
    t_.Insert(P("10.1.0.0/16"), "ten-one-again");
    t_.Insert(P("10.1.2.0/24"), "ten-one-two");
    t_.Insert(P("11.0.0.0/8"), "eleven");
    t_.Insert(P("2001:db8::/32"), "doc6");
    t_.Insert(P("2001:db8:1::/48"), "doc6-1");
  }
  PrefixTrie<std::string> t_;
};

TEST_F(Trie, CoveringIsThePrefixAndItsLessSpecifics) {
  EXPECT_EQ(Covering(t_, "10.1.2.0/24"),
            (std::set<std::string>{"default", "ten", "ten-one", "ten-one-again", "ten-one-two"}));
  EXPECT_EQ(Covering(t_, "10.1.3.0/24"),
            (std::set<std::string>{"default", "ten", "ten-one", "ten-one-again"}));
  EXPECT_EQ(Covering(t_, "12.0.0.0/8"), (std::set<std::string>{"default"}));
}
TEST_F(Trie, CoveredIsThePrefixAndItsMoreSpecifics) {
  EXPECT_EQ(Covered(t_, "10.0.0.0/8"),
            (std::set<std::string>{"ten", "ten-one", "ten-one-again", "ten-one-two"}));
  EXPECT_EQ(Covered(t_, "10.2.0.0/16"), std::set<std::string>{});
  EXPECT_EQ(Covered(t_, "2001:db8::/32"), (std::set<std::string>{"doc6", "doc6-1"}));
}
TEST_F(Trie, ExactAndFamiliesStayApart) {
  std::set<std::string> out;
  t_.ForEachExact(P("10.1.0.0/16"), [&](const Prefix&, const std::string& v) { out.insert(v); });
  EXPECT_EQ(out, (std::set<std::string>{"ten-one", "ten-one-again"}));
  EXPECT_EQ(Covering(t_, "2001:db8:1:1::/64"), (std::set<std::string>{"doc6", "doc6-1"}));
  EXPECT_EQ(t_.size(), 8u);
}
TEST_F(Trie, HostBitsAreIgnored) {
  EXPECT_EQ(Covering(t_, "10.1.2.99/24").count("ten-one-two"), 1u);
}

}  // namespace
}  // namespace vigia
