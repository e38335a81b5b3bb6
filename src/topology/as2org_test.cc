#include "topology/as2org.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace vigia::topology {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

constexpr char kSmall[] =
    "# name: AS Org\n"
    "# format:org_id|changed|org_name|country|source\n"
    "ORG-A|20200101|Alpha Networks|NL|RIPE\n"
    "ORG-B||Beta|BR|LACNIC\n"
    "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
    "64500|20200101|ALPHA-1|ORG-A|x_RIPE|RIPE\n"
    "64501|20200101|ALPHA-2|ORG-A|x_RIPE|RIPE\n"
    "64502||BETA|ORG-B||LACNIC\n"
    "64503||GHOST|ORG-Z||ARIN\n";

TEST(As2Org, OrganisationsAsesAndSiblings) {
  As2Org m;
  ASSERT_TRUE(m.LoadText(kSmall, "small").ok());
  EXPECT_EQ(m.problems().count(), 0u);
  EXPECT_EQ(m.as_count(), 4u);
  const Org* o = m.OrgOf(64501);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->id, "ORG-A");
  EXPECT_EQ(o->name, "Alpha Networks");
  EXPECT_EQ(o->country, "NL");
  EXPECT_EQ(m.Find(64501)->name, "ALPHA-2");
  EXPECT_EQ(m.Siblings(64500), (std::vector<Asn>{64501}));
  EXPECT_TRUE(m.Siblings(64502).empty());
  EXPECT_TRUE(m.AreSiblings(64500, 64501));
  EXPECT_FALSE(m.AreSiblings(64500, 64502));
  EXPECT_FALSE(m.AreSiblings(64500, 64500));
  // An org only named by an AS line is kept, marked as undescribed.
  ASSERT_NE(m.OrgOf(64503), nullptr);
  EXPECT_FALSE(m.OrgOf(64503)->described);
  EXPECT_EQ(m.OrgOf(1), nullptr);
}

TEST(As2Org, ColumnsFollowTheFormatLine) {
  As2Org m;
  ASSERT_TRUE(m.LoadText("# format:org_id|org_name|country|changed|source\n"
                         "O1|One|DE|20200101|RIPE\n"
                         "# format:aut|org_id|aut_name|changed|opaque_id|source\n"
                         "7|O1|SEVEN||x|RIPE\n",
                         "reordered")
                  .ok());
  EXPECT_EQ(m.OrgOf(7)->name, "One");
  EXPECT_EQ(m.Find(7)->name, "SEVEN");
}

TEST(As2Org, HostileLinesAreReportedAndSkipped) {
  As2Org m;
  ASSERT_TRUE(m.LoadText("1|x|y|ORG|z|RIPE\n"  // before any format line
                         "# format:org_id|changed|org_name|country|source\r\n"
                         "ORG-A|1|A|NL|RIPE\r\n"
                         "ORG-A|1|again|NL|RIPE\n"  // duplicate org
                         "ORG-B|1|B\n"              // short
                         "|1|noid|NL|RIPE\n"        // empty id
                         "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                         "AS|1|X|ORG-A|o|RIPE\n"  // bad ASN
                         "5|1|X||o|RIPE\n"        // empty org
                         "6|1|X|ORG-A|o|RIPE|extra\n"
                         "7|1|X|ORG-A|o|RIPE\n"
                         "7|1|X|ORG-B|o|RIPE\n"  // duplicate ASN
                         "# format:foo|bar\n"
                         "a|b\n",
                         "h")
                  .ok());
  EXPECT_EQ(m.as_count(), 1u);
  EXPECT_EQ(m.OrgOf(7)->name, "A");
  EXPECT_EQ(m.problems().count(), 9u);
  EXPECT_EQ(m.problems().kept()[0].where, "h:1");
  EXPECT_EQ(m.problems().kept()[1].where, "h:4");
}

TEST(As2Org, FilesWithoutFormatLinesAreRejected) {
  As2Org m;
  EXPECT_EQ(m.LoadText("", "empty").code(), StatusCode::kCorrupt);
  EXPECT_EQ(m.LoadText("1|2|-1\n", "asrel").code(), StatusCode::kCorrupt);
  EXPECT_EQ(m.LoadFile("/nonexistent").code(), StatusCode::kIoError);
}

TEST(As2OrgRealData, Caida202204) {
  if (!HaveSharedData("caida/as2org")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  As2Org m;
  ASSERT_TRUE(m.LoadFile(SharedData() + "/caida/as2org/20220401.as-org2info.txt.gz").ok());
  // Independently with awk over the two sections: 89976 org lines, 109912
  // aut lines, no duplicate ids, every aut org_id described; 7206 orgs hold
  // more than one AS (27142 ASes in all); LPL-141-ARIN holds 40 ASes.
  EXPECT_EQ(m.problems().count(), 0u);
  EXPECT_EQ(m.orgs().size(), 89976u);
  EXPECT_EQ(m.as_count(), 109912u);
  size_t multi = 0, in_multi = 0;
  for (const Org& o : m.orgs()) {
    EXPECT_TRUE(o.described) << o.id;
    if (o.ases.size() > 1) {
      ++multi;
      in_multi += o.ases.size();
    }
  }
  EXPECT_EQ(multi, 7206u);
  EXPECT_EQ(in_multi, 27142u);
  const Org* level3 = m.OrgOf(3356);
  ASSERT_NE(level3, nullptr);
  EXPECT_EQ(level3->id, "LPL-141-ARIN");
  EXPECT_EQ(level3->name, "Level 3 Parent, LLC");
  EXPECT_EQ(m.Siblings(3356).size(), 39u);
  // grep GOGL-ARIN: 13949 15169 19425 22577 22859 26684 36039 36040 40873.
  EXPECT_EQ(m.Siblings(15169),
            (std::vector<Asn>{13949, 19425, 22577, 22859, 26684, 36039, 36040, 40873}));
  EXPECT_TRUE(m.AreSiblings(15169, 36040));
}

}  // namespace
}  // namespace vigia::topology
