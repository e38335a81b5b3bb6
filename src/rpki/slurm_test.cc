#include "rpki/slurm.h"

#include <gtest/gtest.h>

#include "rpki/origin_validation.h"

namespace vigia::rpki {
namespace {

// The example of RFC 8416 §3.5 (full SLURM file), with its comments.
constexpr const char* kRfcExample = R"({
  "slurmVersion": 1,
  "validationOutputFilters": {
    "prefixFilters": [
      {"prefix": "192.0.2.0/24", "comment": "All VRPs encompassed by prefix"},
      {"asn": 64496, "comment": "All VRPs matching ASN"},
      {"prefix": "198.51.100.0/24", "asn": 64497, "comment": "All VRPs encompassed by prefix, matching ASN"}
    ],
    "bgpsecFilters": [
      {"asn": 64496, "comment": "All keys for ASN"},
      {"SKI": "Zm9v", "comment": "Key matching Router SKI"},
      {"asn": 64497, "SKI": "YmFy", "comment": "Key for ASN 64497 matching Router SKI"}
    ]
  },
  "locallyAddedAssertions": {
    "prefixAssertions": [
      {"asn": 64496, "prefix": "198.51.100.0/24", "comment": "My other important route"},
      {"asn": 64496, "prefix": "2001:DB8::/32", "maxPrefixLength": 48,
       "comment": "My other important de-aggregated routes"}
    ],
    "bgpsecAssertions": [
      {"asn": 64496, "comment" : "My known key for my important ASN",
       "SKI": "<some base64 SKI>", "routerPublicKey": "<some base64 public key>"}
    ]
  }
})";

Prefix P(const char* s) { return *Prefix::Parse(s); }

TEST(Slurm, ParsesTheRfcExample) {
  auto s = Slurm::Parse(kRfcExample, "rfc.slurm");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->prefix_filters.size(), 3u);
  EXPECT_EQ(s->bgpsec_filters, 3u);
  ASSERT_EQ(s->prefix_assertions.size(), 2u);
  EXPECT_EQ(s->prefix_assertions[1].max_prefix_length, 48);
  EXPECT_FALSE(s->prefix_assertions[0].max_prefix_length.has_value());
  EXPECT_EQ(s->prefix_filters[1].comment, "All VRPs matching ASN");
}

// RFC 8416 §4.1: filters drop matching VRPs, then assertions are added.
TEST(Slurm, AppliesFiltersThenAssertions) {
  auto s = Slurm::Parse(kRfcExample, "rfc.slurm");
  ASSERT_TRUE(s.ok());
  VrpSet v;
  v.Add(P("192.0.2.0/25"), 25, 64510);     // under 192.0.2.0/24: filtered
  v.Add(P("192.0.0.0/16"), 24, 64510);     // covers the filter prefix: kept
  v.Add(P("203.0.113.0/24"), 24, 64496);   // ASN 64496: filtered
  v.Add(P("198.51.100.0/24"), 24, 64497);  // prefix and ASN: filtered
  v.Add(P("198.51.100.0/24"), 24, 64498);  // other ASN: kept
  Slurm::Applied a = s->Apply(&v);
  EXPECT_EQ(a.vrps_filtered, 3u);
  EXPECT_EQ(a.vrps_added, 2u);
  EXPECT_EQ(v.size(), 4u);
  // The assertion without maxPrefixLength is exact; the other allows /48.
  EXPECT_EQ(ValidateState(v, P("198.51.100.0/24"), 64496), RovState::kValid);
  EXPECT_EQ(ValidateState(v, P("198.51.100.0/25"), 64496), RovState::kInvalidLength);
  EXPECT_EQ(ValidateState(v, P("2001:db8:1::/48"), 64496), RovState::kValid);
  EXPECT_EQ(ValidateState(v, P("192.0.2.0/25"), 64510), RovState::kInvalidLength);
}

TEST(Slurm, AspaMembersOfVersionTwo) {
  auto s = Slurm::Parse(R"({"slurmVersion": 2,
    "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": [],
      "aspaFilters": [{"customerAsid": 64496, "comment": "drop"}]},
    "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": [],
      "aspaAssertions": [{"customerAsid": 64500, "providerSet": [64501, 64502]}]}})",
                        "v2.slurm");
  ASSERT_TRUE(s.ok()) << s.status().message();
  VrpSet v;
  v.aspas().Add(64496, std::vector<Asn>{1});
  Slurm::Applied a = s->Apply(&v);
  EXPECT_EQ(a.aspas_filtered, 1u);
  EXPECT_EQ(a.aspas_added, 1u);
  EXPECT_EQ(v.aspas().Providers(64496), nullptr);
  EXPECT_EQ(*v.aspas().Providers(64500), (std::vector<Asn>{64501, 64502}));
  // Version 1 does not know ASPA members.
  auto v1 = Slurm::Parse(R"({"slurmVersion": 1,
    "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": [], "aspaFilters": []},
    "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
                         "v1.slurm");
  ASSERT_FALSE(v1.ok());
  EXPECT_NE(v1.status().message().find("unknown member \"aspaFilters\""), std::string::npos);
}

// Anything RFC 8416 §3 does not allow rejects the whole file, naming the
// member.
TEST(Slurm, RejectsBadFilesNamingTheMember) {
  const std::string empty_lists =
      R"("validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": []},
         "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []})";
  struct Case {
    std::string json, needle;
  } cases[] = {
      {"not json", "not JSON"},
      {"[]", "not an object"},
      {"{" + empty_lists + "}", "slurmVersion"},
      {R"({"slurmVersion": 3, )" + empty_lists + "}", "unsupported version 3"},
      {R"({"slurmVersion": 1, "extra": 1, )" + empty_lists + "}", "unknown member \"extra\""},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [{"comment": "x"}], "bgpsecFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
       "prefixFilters[0]: neither prefix nor asn"},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [{"prefix": "192.0.2.1/24"}], "bgpsecFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
       "bad prefix \"192.0.2.1/24\""},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [{"asn": 1, "prefix": "192.0.2.0/24", "maxPrefixLength": 33}], "bgpsecAssertions": []}})",
       "prefixAssertions[0]: maxPrefixLength outside"},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [{"prefix": "192.0.2.0/24"}], "bgpsecAssertions": []}})",
       "missing or bad asn"},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [{"asn": -1}], "bgpsecFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
       "bad asn"},
      {R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": []},
          "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
       "missing member \"bgpsecFilters\""},
  };
  for (const Case& c : cases) {
    auto s = Slurm::Parse(c.json, "bad.slurm");
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_NE(s.status().message().find(c.needle), std::string::npos)
        << s.status().message() << " lacks " << c.needle;
    EXPECT_EQ(s.status().message().rfind("bad.slurm: ", 0), 0u);
  }
}

// RFC 8416 §4.2: overlapping prefixes in two files.
TEST(Slurm, OverlappingFilesAreRefused) {
  auto make = [](const std::string& prefix, const std::string& name) {
    return *Slurm::Parse(R"({"slurmVersion": 1,
      "validationOutputFilters": {"prefixFilters": [{"prefix": ")" +
                             prefix + R"("}], "bgpsecFilters": []},
      "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})",
                         name);
  };
  EXPECT_TRUE(Slurm::CheckOverlap({make("192.0.2.0/24", "a"), make("198.51.100.0/24", "b")}).ok());
  Status st = Slurm::CheckOverlap({make("192.0.2.0/24", "a"), make("192.0.2.128/25", "b")});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("192.0.2.0/24 overlaps 192.0.2.128/25"), std::string::npos);
}

}  // namespace
}  // namespace vigia::rpki
