#include "registry/special_purpose.h"

#include <gtest/gtest.h>

namespace vigia::registry {
namespace {

const SpecialPurposeBlock* Exact(const char* prefix) {
  const Prefix p = *Prefix::Parse(prefix);
  for (const SpecialPurposeBlock& b : SpecialPurposeBlocks()) {
    if (b.prefix == p) return &b;
  }
  return nullptr;
}

TEST(SpecialPurpose, TableIsWellFormed) {
  size_t v4 = 0, v6 = 0;
  for (const SpecialPurposeBlock& b : SpecialPurposeBlocks()) {
    EXPECT_FALSE(b.prefix.HasHostBits()) << b.prefix.ToString();
    EXPECT_FALSE(b.name.empty());
    EXPECT_EQ(b.rfc.substr(0, 4), "RFC ") << b.prefix.ToString();
    // The decision rule of special_purpose.h.
    EXPECT_EQ(b.bogon, b.globally_reachable == Reachability::kFalse) << b.prefix.ToString();
    (b.prefix.family() == Family::kIpv4 ? v4 : v6) += 1;
  }
  EXPECT_EQ(v4, 27u);
  EXPECT_EQ(v6, 26u);
}

TEST(SpecialPurpose, RegistryColumnsOfKeyEntries) {
  struct Want {
    const char* prefix;
    const char* rfc;
    bool bogon;
  };
  for (const Want& w : std::initializer_list<Want>{
           {"0.0.0.0/8", "RFC 791 §3.2", true},
           {"10.0.0.0/8", "RFC 1918", true},
           {"100.64.0.0/10", "RFC 6598", true},
           {"169.254.0.0/16", "RFC 3927", true},
           {"192.0.0.9/32", "RFC 7723", false},
           {"192.0.2.0/24", "RFC 5737", true},
           {"192.88.99.0/24", "RFC 7526", false},
           {"198.18.0.0/15", "RFC 2544", true},
           {"224.0.0.0/4", "RFC 5771", true},
           {"240.0.0.0/4", "RFC 1112 §4", true},
           {"64:ff9b::/96", "RFC 6052", false},
           {"64:ff9b:1::/48", "RFC 8215", true},
           {"100::/64", "RFC 6666", true},
           {"2001::/23", "RFC 2928", true},
           {"2001::/32", "RFC 4380, RFC 8190", false},
           {"2001:db8::/32", "RFC 3849", true},
           {"2002::/16", "RFC 3056", false},
           {"3fff::/20", "RFC 9637", true},
           {"5f00::/16", "RFC 9602", true},
           {"fc00::/7", "RFC 4193, RFC 8190", true},
           {"fe80::/10", "RFC 4291", true},
       }) {
    const SpecialPurposeBlock* b = Exact(w.prefix);
    ASSERT_NE(b, nullptr) << w.prefix;
    EXPECT_EQ(b->rfc, w.rfc) << w.prefix;
    EXPECT_EQ(b->bogon, w.bogon) << w.prefix;
  }
  EXPECT_EQ(Exact("10.0.0.0/8")->forwardable, Reachability::kTrue);
  EXPECT_EQ(Exact("127.0.0.0/8")->forwardable, Reachability::kFalse);
  EXPECT_EQ(Exact("2002::/16")->globally_reachable, Reachability::kNotApplicable);
}

TEST(SpecialPurpose, CoveringListsLeastSpecificFirst) {
  auto v = SpecialPurposeCovering(*Prefix::Parse("192.0.0.9/32"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0]->prefix.ToString(), "192.0.0.0/24");
  EXPECT_EQ(v[1]->prefix.ToString(), "192.0.0.9/32");
  EXPECT_TRUE(SpecialPurposeCovering(*Prefix::Parse("8.8.8.0/24")).empty());
  EXPECT_EQ(SpecialPurposeCovering(*Prefix::Parse("2001::/16")).size(), 0u);
}

TEST(SpecialAsn, RangesOfTheSpec) {
  // SPEC C5: 0, 23456, 64496-64511, 64512-65534, 65535, 65536-65551,
  // 65552-131071, 4200000000-4294967294, 4294967295.
  for (Asn a : {0u, 23456u, 64496u, 64511u, 64512u, 65534u, 65535u, 65536u, 65551u, 65552u, 131071u,
                4200000000u, 4294967294u, 4294967295u}) {
    EXPECT_NE(FindSpecialAsn(a), nullptr) << a;
  }
  for (Asn a : {1u, 23455u, 23457u, 64495u, 131072u, 4199999999u}) {
    EXPECT_EQ(FindSpecialAsn(a), nullptr) << a;
  }
  EXPECT_EQ(FindSpecialAsn(0)->rfc, "RFC 7607");
  EXPECT_EQ(FindSpecialAsn(23456)->rfc, "RFC 6793");
  EXPECT_EQ(FindSpecialAsn(65540)->rfc, "RFC 5398");
  EXPECT_EQ(FindSpecialAsn(4200000001u)->rfc, "RFC 6996");
  EXPECT_EQ(FindSpecialAsn(4294967295u)->rfc, "RFC 7300");
  // In order and disjoint.
  auto r = SpecialAsnRanges();
  for (size_t i = 1; i < r.size(); ++i) EXPECT_GT(r[i].first, r[i - 1].last);
}

}  // namespace
}  // namespace vigia::registry
