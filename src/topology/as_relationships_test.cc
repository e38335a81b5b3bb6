#include "topology/as_relationships.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/test_util.h"

namespace vigia::topology {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

TEST(AsRelationships, Serial1WithHeaderListsAndBothDirections) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("# input clique: 174 3356\n"
                         "# IXP ASes: 1200 6695\n"
                         "# source:topology|BGP|20220301|ripe|rrc00\n"
                         "174|64500|-1\n"
                         "3356|64500|-1\n"
                         "174|3356|0\n",
                         "t.txt")
                  .ok());
  ASSERT_EQ(g.files().size(), 1u);
  const RelFile& f = g.files()[0];
  EXPECT_EQ(f.format, "serial-1");
  EXPECT_EQ(f.clique, (std::vector<Asn>{174, 3356}));
  EXPECT_EQ(f.ixp_ases, (std::vector<Asn>{1200, 6695}));
  EXPECT_EQ(g.link_count(), 3u);
  EXPECT_EQ(g.p2c_count(), 2u);
  EXPECT_EQ(g.p2p_count(), 1u);
  EXPECT_EQ(g.as_count(), 3u);
  const Link* l = nullptr;
  EXPECT_EQ(g.RelationOf(174, 64500, &l), Relation::kProvider);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->line, 4u);
  EXPECT_EQ(g.RelationOf(64500, 174), Relation::kCustomer);
  EXPECT_EQ(g.RelationOf(3356, 174), Relation::kPeer);
  EXPECT_EQ(g.RelationOf(3356, 1), Relation::kNone);
  EXPECT_EQ(g.RelationOf(64500, 64500), Relation::kNone);
  const uint32_t c = *g.Index(64500);
  ASSERT_EQ(g.Providers(c).size(), 2u);
  EXPECT_TRUE(g.Customers(c).empty());
  EXPECT_EQ(g.Peers(*g.Index(174)).size(), 1u);
  EXPECT_EQ(g.problems().count(), 0u);
}

TEST(AsRelationships, Serial2KeepsTheSourceTag) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("1|2|-1|bgp\n3|4|0|mlp\n5|6|0|bgp\n", "s2").ok());
  EXPECT_EQ(g.files()[0].format, "serial-2");
  const Link* l = nullptr;
  EXPECT_EQ(g.RelationOf(4, 3, &l), Relation::kPeer);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(g.sources()[l->source], "mlp");
  EXPECT_EQ(g.sources().size(), 3u);  // "", bgp, mlp
}

TEST(AsRelationships, ConflictsKeepTheFirstAndDuplicatesAreCounted) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("1|2|-1\n2|1|-1\n1|2|0\n3|4|0\n4|3|0\n1|2|-1\n", "c").ok());
  const RelFile& f = g.files()[0];
  EXPECT_EQ(f.links, 2u);
  EXPECT_EQ(f.duplicates, 2u);  // 4|3|0 mirrors 3|4|0; 1|2|-1 repeats
  EXPECT_EQ(f.conflicts, 2u);   // reversed p2c, then p2p
  EXPECT_EQ(g.RelationOf(1, 2), Relation::kProvider);
  ASSERT_EQ(g.problems().kept().size(), 2u);
  EXPECT_EQ(g.problems().kept()[0].where, "c:2");
  EXPECT_NE(g.problems().kept()[0].message.find("conflicts with c:1"), std::string::npos);
}

TEST(AsRelationships, ConflictAcrossFilesNamesTheFirstFile) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("10|20|0\n", "first").ok());
  ASSERT_TRUE(g.LoadText("x\n20|10|-1\n", "second").ok());
  EXPECT_EQ(g.RelationOf(10, 20), Relation::kPeer);
  ASSERT_EQ(g.problems().kept().size(), 2u);
  EXPECT_EQ(g.problems().kept()[1].where, "second:2");
  EXPECT_NE(g.problems().kept()[1].message.find("first:1"), std::string::npos);
}

TEST(AsRelationships, HostileLinesAreReportedSkippedAndCounted) {
  AsRelationships g;
  const std::string text =
      "1|2|-1\r\n"            // CRLF is fine
      "garbage\n"             // 1 field
      "1|2\n"                 // 2 fields
      "1|2|0|bgp|extra\n"     // 5 fields
      "AS7|x|0\n"             // bad ASN
      "4294967296|2|0\n"      // over 32 bits
      "5|6|1\n"               // unknown relationship
      "5|6|-1 \n"             // trailing space in rel
      "9|9|0\n"               // self-link
      "7|8|0|\n"              // empty source
      "\n"                    // blank: ignored
      "# IXP ASes: 1 zz 3\n"  // bad header ASN: reported, others kept
      + std::string(100000, '7') +
      "\n"        // over-long line
      "11|12|0";  // no final newline
  ASSERT_TRUE(g.LoadText(text, "h").ok());
  EXPECT_EQ(g.link_count(), 2u);
  EXPECT_EQ(g.files()[0].skipped, 10u);
  EXPECT_EQ(g.problems().count(), 11u);
  EXPECT_EQ(g.files()[0].ixp_ases, (std::vector<Asn>{1, 3}));
  EXPECT_EQ(g.problems().kept()[0].where, "h:2");
  EXPECT_NE(g.problems().kept()[5].message.find("neither -1"), std::string::npos);
  EXPECT_EQ(g.RelationOf(12, 11), Relation::kPeer);
}

TEST(AsRelationships, EmptyAndCommentOnlyFilesLoadNothing) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("", "empty").ok());
  ASSERT_TRUE(g.LoadText("# input clique: 174\n", "comments").ok());
  EXPECT_EQ(g.link_count(), 0u);
  EXPECT_EQ(g.files()[0].format, "");
  EXPECT_EQ(g.files()[1].clique, (std::vector<Asn>{174}));
}

TEST(AsRelationships, MissingFileIsAnIoError) {
  AsRelationships g;
  Status s = g.LoadFile("/nonexistent/as-rel.txt");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

std::string Serial1(const std::string& name) { return SharedData() + "/caida/serial-1/" + name; }
std::string TopoScope(const std::string& name) { return SharedData() + "/caida/toposcope/" + name; }

TEST(AsRelationshipsRealData, Caida20220301) {
  if (!HaveSharedData("caida/serial-1")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(Serial1("20220301.as-rel.txt.bz2")).ok());
  // Independently: bzcat F | awk -F'|' '!/^#/{n++; if($3==-1)c++; else p++} END{print n,c,p}'
  // gives 418744 147952 270792 (the data README also says 418,744 links), and
  // the distinct ASNs of fields 1-2 (sort -u | wc -l) are 73752.
  EXPECT_EQ(g.link_count(), 418744u);
  EXPECT_EQ(g.p2c_count(), 147952u);
  EXPECT_EQ(g.p2p_count(), 270792u);
  EXPECT_EQ(g.as_count(), 73752u);
  EXPECT_EQ(g.problems().count(), 0u);
  const RelFile& f = g.files()[0];
  EXPECT_EQ(f.duplicates, 0u);
  EXPECT_EQ(f.format, "serial-1");
  // The two header lists (head -2 of the file).
  ASSERT_EQ(f.clique.size(), 19u);
  EXPECT_EQ(f.clique.front(), 174u);
  EXPECT_EQ(f.clique.back(), 12956u);
  ASSERT_EQ(f.ixp_ases.size(), 28u);
  EXPECT_EQ(f.ixp_ases.front(), 1200u);
  // Pairs and line numbers from awk '/^1764\|31019\|/{print NR": "$0}' etc.
  const Link* l = nullptr;
  EXPECT_EQ(g.RelationOf(31019, 1764, &l), Relation::kPeer);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->line, 24557u);
  EXPECT_EQ(g.RelationOf(33491, 63206, &l), Relation::kProvider);
  EXPECT_EQ(l->line, 282227u);
  EXPECT_EQ(g.RelationOf(20697, 1, &l), Relation::kCustomer);
  EXPECT_EQ(l->line, 171u);
}

TEST(AsRelationshipsRealData, TopoScopeFilesHaveDuplicatesButNoConflicts) {
  if (!HaveSharedData("caida/toposcope")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(TopoScope("asrel_201701.txt.xz")).ok());
  // Independently (python3: key each line by the unordered pair, compare):
  // 249130 lines, 248966 distinct links, 164 exact repeats, no conflict,
  // 56272 ASes.
  EXPECT_EQ(g.link_count(), 248966u);
  EXPECT_EQ(g.files()[0].duplicates, 164u);
  EXPECT_EQ(g.files()[0].conflicts, 0u);
  EXPECT_EQ(g.as_count(), 56272u);
  EXPECT_TRUE(g.files()[0].clique.empty());
}

TEST(AsRelationshipsRealData, TopoScopeHiddenLinksConflictWithTheObservedOnes) {
  if (!HaveSharedData("caida/toposcope")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(TopoScope("asrel_201806.txt.xz")).ok());
  ASSERT_TRUE(g.LoadFile(TopoScope("asrel_hidden.txt.gz")).ok());
  // Independently (the same python3 pass over both files in this order):
  // 309977 links, 158 + 11037 repeats, 1032 conflicts, the first being the
  // hidden 6762|42|-1 against the observed 42|6762|0.
  EXPECT_EQ(g.link_count(), 309977u);
  EXPECT_EQ(g.files()[0].duplicates + g.files()[1].duplicates, 11195u);
  EXPECT_EQ(g.files()[1].conflicts, 1032u);
  EXPECT_EQ(g.RelationOf(6762, 42), Relation::kPeer);
  ASSERT_FALSE(g.problems().kept().empty());
  EXPECT_NE(g.problems().kept()[0].message.find("AS6762|AS42|-1 conflicts"), std::string::npos);
}

TEST(AsRelationshipsRealData, TruncatedCompressedFileKeepsLinesBeforeTheCut) {
  if (!HaveSharedData("caida/serial-1")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  std::ifstream in(Serial1("20220301.as-rel.txt.bz2"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(300000);
  auto stream = io::InputStream::FromMemory(std::as_bytes(std::span(bytes.data(), bytes.size())));
  AsRelationships g;
  Status s = g.LoadStream(stream.get(), "cut.bz2");
  EXPECT_FALSE(s.ok());
  EXPECT_GT(g.link_count(), 10000u);
  EXPECT_LT(g.link_count(), 418744u);
}

}  // namespace
}  // namespace vigia::topology
