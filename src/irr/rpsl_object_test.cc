#include "irr/rpsl_object.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia::irr {
namespace {

// Lexes the first object of `text` and hands it to fn; the object's views
// live as long as the reader.
template <typename Fn>
void WithObject(const std::string& text, Fn&& fn) {
  auto in = io::InputStream::FromMemory(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
  ProblemLog problems;
  RpslReader reader(
      in.get(), "t", [](std::string_view) { return true; }, &problems);
  RpslObject o;
  ASSERT_TRUE(reader.Next(&o));
  fn(o);
}

TEST(SetNames, FlatAndHierarchical) {
  EXPECT_TRUE(IsSetName("AS-FOO", "as-"));
  EXPECT_TRUE(IsSetName("as-foo_bar-2", "as-"));
  EXPECT_TRUE(IsSetName("AS64496:AS-CUSTOMERS", "as-"));
  EXPECT_TRUE(IsSetName("AS-CENTRILOGIC-UK:AS-CUSTOMERS", "as-"));
  EXPECT_TRUE(IsSetName("AS1:AS-X:AS2", "as-"));
  EXPECT_TRUE(IsSetName("RS-COMM_NSFNET", "rs-"));
  EXPECT_FALSE(IsSetName("AS64496", "as-"));  // no set component
  EXPECT_FALSE(IsSetName("AS64496:AS1", "as-"));
  EXPECT_FALSE(IsSetName("AS-", "as-"));
  EXPECT_FALSE(IsSetName("AS-FOO:", "as-"));
  EXPECT_FALSE(IsSetName("RS-FOO", "as-"));
  EXPECT_FALSE(IsSetName("AS-FO.O", "as-"));
  EXPECT_FALSE(IsSetName("", "as-"));
}

TEST(RangeOperators, Rfc2622Forms) {
  EXPECT_TRUE(IsRangeOperator("^-", 24, 32));
  EXPECT_TRUE(IsRangeOperator("^+", 24, 32));
  EXPECT_TRUE(IsRangeOperator("^24", 24, 32));
  EXPECT_TRUE(IsRangeOperator("^24-32", 16, 32));
  EXPECT_FALSE(IsRangeOperator("^33", 24, 32));
  EXPECT_FALSE(IsRangeOperator("^20", 24, 32));  // shorter than the prefix
  EXPECT_FALSE(IsRangeOperator("^28-26", 24, 32));
  EXPECT_FALSE(IsRangeOperator("^", 24, 32));
  EXPECT_FALSE(IsRangeOperator("24", 24, 32));
  EXPECT_FALSE(IsRangeOperator("^2x", 0, 32));
}

TEST(DecodeRoute, PrefixOriginSourceMaintainers) {
  WithObject(
      "route: 192.0.2.0/24\norigin: AS64496 # c\nmnt-by: MNT-A, MNT-B\nmnt-by: MNT-C\n"
      "source: radb\n",
      [](const RpslObject& o) {
        RouteFields f;
        Notes notes;
        ASSERT_TRUE(DecodeRoute(o, &f, &notes).ok());
        EXPECT_EQ(f.prefix, *Prefix::Parse("192.0.2.0/24"));
        EXPECT_EQ(f.origin, 64496u);
        EXPECT_EQ(f.source, "radb");
        ASSERT_EQ(f.mnt_by.size(), 3u);
        EXPECT_EQ(f.mnt_by[2], "MNT-C");
      });
}

TEST(DecodeRoute, UnusableRoutesSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"route: 192.0.2.1/24\norigin: AS1\n", "host bits"},
      {"route: 192.0.2.0/33\norigin: AS1\n", "bad prefix"},
      {"route: 2001:db8::/32\norigin: AS1\n", "wrong address family"},
      {"route6: 192.0.2.0/24\norigin: AS1\n", "wrong address family"},
      {"route: 192.0.2.0/24\n", "no origin"},
      {"route: 192.0.2.0/24\norigin: 64496\n", "bad origin"},
      {"route: 192.0.2.0/24\norigin: AS1 AS2\n", "bad origin"},
      {"route: 192.0.2.0/24\norigin: AS1\norigin: AS2\n", "more than one origin"},
      {"route:\norigin: AS1\n", "prefix is empty"},
  };
  for (const auto& c : cases) {
    const auto& text = c.first;
    const auto& why = c.second;
    WithObject(text, [&](const RpslObject& o) {
      RouteFields f;
      Notes notes;
      Status s = DecodeRoute(o, &f, &notes);
      EXPECT_FALSE(s.ok()) << text;
      EXPECT_NE(s.message().find(why), std::string::npos) << text << " -> " << s.message();
    });
  }
}

TEST(DecodeAsSet, MembersAsnsAndSetsBadOnesNoted) {
  WithObject(
      "as-set: AS64496:AS-Customers\nmembers: AS1, as-two, AS3:AS-X\n"
      "members: RS-NOPE, 12345\nmbrs-by-ref: ANY\nsource: TEST\n",
      [](const RpslObject& o) {
        AsSetFields f;
        Notes notes;
        ASSERT_TRUE(DecodeAsSet(o, &f, &notes).ok());
        EXPECT_EQ(f.name, "AS64496:AS-Customers");
        ASSERT_EQ(f.members.size(), 3u);
        EXPECT_FALSE(f.members[0].is_set);
        EXPECT_EQ(f.members[0].asn, 1u);
        EXPECT_TRUE(f.members[1].is_set);
        EXPECT_EQ(f.members[1].name, "as-two");
        EXPECT_EQ(f.members[2].name, "AS3:AS-X");
        ASSERT_EQ(notes.size(), 2u);
        EXPECT_EQ(notes[0].first, 3u);
        EXPECT_NE(notes[0].second.find("RS-NOPE"), std::string::npos);
      });
}

TEST(DecodeAsSet, BadNameIsRefused) {
  WithObject("as-set: AS64496\nmembers: AS1\n", [](const RpslObject& o) {
    AsSetFields f;
    Notes notes;
    EXPECT_FALSE(DecodeAsSet(o, &f, &notes).ok());
  });
}

TEST(DecodeRouteSet, MembersKeptAsWrittenWithRangeOperators) {
  WithObject(
      "route-set: RS-X\nmembers: 192.0.2.0/24^+, 198.51.100.0/22^24-26, RS-Y^-\n"
      "mp-members: 2001:db8::/32^48, AS1, AS-Z, 192.0.2.0/24^16, bogus\n",
      [](const RpslObject& o) {
        RouteSetFields f;
        Notes notes;
        ASSERT_TRUE(DecodeRouteSet(o, &f, &notes).ok());
        ASSERT_EQ(f.members.size(), 6u);
        EXPECT_EQ(f.members[0].kind, RouteSetMemberKind::kPrefix);
        EXPECT_EQ(f.members[0].text, "192.0.2.0/24^+");
        EXPECT_EQ(f.members[1].prefix, *Prefix::Parse("198.51.100.0/22"));
        EXPECT_EQ(f.members[2].kind, RouteSetMemberKind::kRouteSet);
        EXPECT_EQ(f.members[3].text, "2001:db8::/32^48");
        EXPECT_EQ(f.members[4].kind, RouteSetMemberKind::kAsn);
        EXPECT_EQ(f.members[5].kind, RouteSetMemberKind::kAsSet);
        ASSERT_EQ(notes.size(), 2u);  // ^16 on a /24, and "bogus"
      });
}

TEST(DecodeAutNumAndMntner, NamesAndFreeText) {
  WithObject("aut-num: AS372\nas-name:  UNSPECIFIED  # x\nmnt-by: MAINT-AS372\nsource: RADB\n",
             [](const RpslObject& o) {
               AutNumFields f;
               Notes notes;
               ASSERT_TRUE(DecodeAutNum(o, &f, &notes).ok());
               EXPECT_EQ(f.asn, 372u);
               EXPECT_EQ(f.as_name, "UNSPECIFIED");
               EXPECT_EQ(f.source, "RADB");
             });
  WithObject("aut-num:\n", [](const RpslObject& o) {
    AutNumFields f;
    Notes notes;
    EXPECT_FALSE(DecodeAutNum(o, &f, &notes).ok());
  });
  WithObject("mntner: MAINT-X\nsource: A\nsource: B\n", [](const RpslObject& o) {
    MntnerFields f;
    Notes notes;
    ASSERT_TRUE(DecodeMntner(o, &f, &notes).ok());
    EXPECT_EQ(f.name, "MAINT-X");
    EXPECT_EQ(f.source, "A");
    EXPECT_EQ(notes.size(), 1u);
  });
}

}  // namespace
}  // namespace vigia::irr
