#include "registry/iana.h"

#include <gtest/gtest.h>

#include <map>

#include "core/test_util.h"

namespace vigia::registry {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

// Expected counts from Python's csv module over the same files:
//   python3 -c "import csv,collections; r=list(csv.reader(open(F)))[1:];
//               print(len(r), collections.Counter(x[5] for x in r))"
TEST(IanaRealData, Ipv4AddressSpace) {
  const std::string f = "registry/iana/ipv4-address-space.csv";
  if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
  IanaRegistry reg;
  ASSERT_TRUE(reg.LoadFile(SharedData() + "/" + f).ok());
  EXPECT_EQ(reg.skipped(), 0u);
  ASSERT_EQ(reg.blocks().size(), 256u);
  std::map<std::string, int> by_status;
  for (const IanaBlock& b : reg.blocks()) ++by_status[std::string(IanaStatusName(b.status))];
  EXPECT_EQ(by_status,
            (std::map<std::string, int>{{"ALLOCATED", 129}, {"LEGACY", 92}, {"RESERVED", 35}}));
  const IanaBlock* b = reg.Find(*IpAddress::Parse("200.7.84.1"));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->prefix.ToString(), "200.0.0.0/8");
  EXPECT_EQ(b->rir, "lacnic");
  EXPECT_EQ(b->line, 310u);  // multi-line quoted RDAP fields come before it
  const IanaBlock* legacy = reg.Find(*IpAddress::Parse("196.1.2.3"));
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(legacy->status, IanaStatus::kLegacy);
  EXPECT_EQ(legacy->designation, "Administered by AFRINIC");
  EXPECT_EQ(legacy->rir, "afrinic");
  EXPECT_EQ(reg.Find(*IpAddress::Parse("10.1.1.1"))->status, IanaStatus::kReserved);
  EXPECT_TRUE(reg.has(Family::kIpv4));
  EXPECT_FALSE(reg.has(Family::kIpv6));
}

TEST(IanaRealData, Ipv6UnicastAssignments) {
  const std::string f = "registry/iana/ipv6-unicast-address-assignments.csv";
  if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
  IanaRegistry reg;
  ASSERT_TRUE(reg.LoadFile(SharedData() + "/" + f).ok());
  EXPECT_EQ(reg.skipped(), 0u);
  ASSERT_EQ(reg.blocks().size(), 40u);
  // Row 2's note spans ten lines; the next row starts on line 12.
  EXPECT_EQ(reg.blocks()[1].prefix.ToString(), "2001:200::/23");
  EXPECT_EQ(reg.blocks()[1].line, 12u);
  EXPECT_EQ(reg.Find(*IpAddress::Parse("2801:80::1"))->rir, "lacnic");
  EXPECT_EQ(reg.Find(*IpAddress::Parse("2c0f:f000::"))->rir, "afrinic");
  EXPECT_EQ(reg.Find(*IpAddress::Parse("3ffe::1"))->status, IanaStatus::kReserved);
  EXPECT_EQ(reg.Find(*IpAddress::Parse("2100::")), nullptr);
}

TEST(IanaCsv, QuotedFieldsCrLfAndDoubledQuotes) {
  bool cut = false;
  auto rows = ParseCsv("a,\"b,\"\"c\"\"\r\nd\",e\r\n\r\nf\n", 10, &cut);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(cut);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b,\"c\"\nd", "e"}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"f"}));
  EXPECT_EQ(rows[1].line, 4u);
  // Unterminated quote: the rest of the text is one field.
  rows = ParseCsv("x,\"never closed\nmore", 10, &cut);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[1], "never closed\nmore");
  // Caps.
  rows = ParseCsv("1\n2\n3\n", 2, &cut);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_TRUE(cut);
  rows = ParseCsv(std::string(kMaxCsvFieldBytes + 10, 'z'), 2, &cut);
  EXPECT_EQ(rows[0].fields[0].size(), kMaxCsvFieldBytes);
  EXPECT_TRUE(cut);
}

TEST(IanaHostile, BadRowsAreSkippedWithFileAndLine) {
  IanaRegistry reg;
  ASSERT_TRUE(reg.LoadText("Prefix,Designation,Date,WHOIS,RDAP,Status [1],Note\r\n"
                           "041/8,AFRINIC,2005-04,whois.afrinic.net,,ALLOCATED,\r\n"
                           "256/8,Nowhere,2005-04,,,ALLOCATED,\r\n"
                           "042/8,Short\r\n"
                           "043/8,X,1991-01,whois.apnic.net,,STOLEN,\r\n"
                           "2001:db8::1/32,X,1999,,,RESERVED,\r\n"
                           "\r\n",
                           "v4.csv")
                  .ok());
  ASSERT_EQ(reg.blocks().size(), 1u);
  EXPECT_EQ(reg.blocks()[0].rir, "afrinic");
  ASSERT_EQ(reg.skipped(), 4u);
  EXPECT_EQ(reg.problems().kept()[0].where, "v4.csv:3");
  EXPECT_EQ(reg.problems().kept()[1].where, "v4.csv:4");
  EXPECT_EQ(reg.problems().kept()[2].where, "v4.csv:5");
  EXPECT_EQ(reg.problems().kept()[3].where, "v4.csv:6");
}

TEST(IanaHostile, NotAnIanaCsv) {
  IanaRegistry reg;
  EXPECT_EQ(reg.LoadText("", "e").code(), StatusCode::kCorrupt);
  EXPECT_EQ(reg.LoadText("hello,world\n1,2\n", "x").code(), StatusCode::kCorrupt);
  EXPECT_EQ(reg.LoadText("\x01\x02\x03", "bin").code(), StatusCode::kCorrupt);
  EXPECT_EQ(reg.LoadFile("/nonexistent.csv").code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace vigia::registry
