#include "registry/bogons.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/test_util.h"
#include "registry/registry.h"

namespace vigia::registry {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

const char kIanaV4[] =
    "Prefix,Designation,Date,WHOIS,RDAP,Status [1],Note\n"
    "041/8,AFRINIC,2005-04,whois.afrinic.net,,ALLOCATED,\n"
    "050/8,ARIN,2010-02,whois.arin.net,,ALLOCATED,\n"
    "051/8,Administered by RIPE NCC,1994-08,whois.ripe.net,,LEGACY,\n"
    "052/8,Future,2020-01,,,UNALLOCATED,\n";

const char kAfrinic[] =
    "2|afrinic|20230323|7|00000000|20230323|00000\n"
    "afrinic|ZA|ipv4|41.0.0.0|768|20100101|allocated|A\n"
    "afrinic|ZZ|ipv4|41.0.3.0|256||available|\n"
    "afrinic|ZZ|ipv4|41.0.4.0|1024||reserved|\n"
    // Overlaps the reserved block: delegated space wins.
    "afrinic|ZA|ipv4|41.0.6.0|256|20200101|assigned|B\n"
    "afrinic|ZZ|ipv4|50.1.0.0|256||reserved|\n"
    "afrinic|ZZ|asn|37000|2||available|\n"
    "afrinic|ZA|asn|37001|1|20200101|allocated|C\n";

std::vector<std::string> Lines(const BogonList& b, Family f) {
  std::vector<std::string> out;
  for (const BogonPrefix& p : b.Prefixes(f)) {
    out.push_back(p.prefix.ToString() + " " +
                  std::string(BogonClassName(b.reasons()[p.reason].kind)) + " " +
                  b.reasons()[p.reason].detail);
  }
  return out;
}

// The special-purpose IPv4 part, the same for every registry: the entries of
// special_purpose.cc that are not globally reachable, less-specific entries
// naming the whole block and the reachable 192.0.0.9/32 and 192.0.0.10/32
// carved out of 192.0.0.0/24.
const std::vector<std::string> kSpecialV4 = {
    "0.0.0.0/8 special \"This network\" (RFC 791 §3.2)",
    "10.0.0.0/8 special Private-Use (RFC 1918)",
    "100.64.0.0/10 special Shared Address Space (RFC 6598)",
    "127.0.0.0/8 special Loopback (RFC 1122 §3.2.1.3)",
    "169.254.0.0/16 special Link Local (RFC 3927)",
    "172.16.0.0/12 special Private-Use (RFC 1918)",
    "192.0.0.0/29 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.8/32 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.11/32 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.12/30 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.16/28 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.32/27 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.64/26 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.0.128/25 special IETF Protocol Assignments (RFC 6890 §2.1)",
    "192.0.2.0/24 special Documentation (TEST-NET-1) (RFC 5737)",
    "192.168.0.0/16 special Private-Use (RFC 1918)",
    "198.18.0.0/15 special Benchmarking (RFC 2544)",
    "198.51.100.0/24 special Documentation (TEST-NET-2) (RFC 5737)",
    "203.0.113.0/24 special Documentation (TEST-NET-3) (RFC 5737)",
    "224.0.0.0/4 special Multicast (RFC 5771)",
    "240.0.0.0/4 special Reserved (RFC 1112 §4)",
};

TEST(Bogons, SyntheticRegistryExactList) {
  DelegatedStats stats;
  ASSERT_TRUE(stats.LoadText(kAfrinic, "afrinic").ok());
  ASSERT_EQ(stats.skipped(), 0u);
  IanaRegistry iana;
  ASSERT_TRUE(iana.LoadText(kIanaV4, "iana").ok());
  BogonList b = BogonList::Compute(stats, iana);
  std::vector<std::string> want = kSpecialV4;
  // Only AFRINIC's file is loaded, so space it does not list is not flagged
  // (it may have moved to ARIN or the RIPE NCC by transfer).
  for (const char* admin : {"41.0.3.0/24 administrative afrinic available",
                            "41.0.4.0/23 administrative afrinic reserved",
                            "41.0.7.0/24 administrative afrinic reserved",
                            "50.1.0.0/24 administrative afrinic reserved",
                            "52.0.0.0/8 administrative IANA unallocated: Future (52.0.0.0/8)"}) {
    want.push_back(admin);
  }
  std::sort(want.begin(), want.end(), [](const std::string& x, const std::string& y) {
    return *Prefix::Parse(x.substr(0, x.find(' '))) < *Prefix::Parse(y.substr(0, y.find(' ')));
  });
  EXPECT_EQ(Lines(b, Family::kIpv4), want);
  EXPECT_EQ(b.covered_rirs(Family::kIpv4), std::vector<std::string>{"afrinic"});
  // Administrative and special parts are kept apart.
  EXPECT_EQ(b.Administrative(Family::kIpv4).AddressCount(), Uint128{256 + 768 + 256 + (1u << 24)});
  EXPECT_EQ(b.Special(Family::kIpv4).Intersect(b.Administrative(Family::kIpv4)).AddressCount(),
            Uint128{0});
}

TEST(Bogons, UnlistedSpaceCountsOnlyWhenEveryRirFileIsLoaded) {
  DelegatedStats stats;
  ASSERT_TRUE(stats.LoadText(kAfrinic, "afrinic").ok());
  IanaRegistry iana;
  ASSERT_TRUE(iana.LoadText("Prefix,Designation,Date,WHOIS,RDAP,Status [1],Note\n"
                            "041/8,AFRINIC,2005-04,whois.afrinic.net,,ALLOCATED,\n",
                            "iana")
                  .ok());
  BogonList b = BogonList::Compute(stats, iana);
  const BogonReason* r = b.Classify(*IpAddress::Parse("41.200.0.1"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, BogonKind::kRirUnlisted);
  EXPECT_EQ(b.Classify(*IpAddress::Parse("41.0.0.1")), nullptr);
  // 41/8 less the 2048 addresses the file lists.
  RangeSet unlisted(Family::kIpv4);
  for (size_t i = 0; i < b.reasons().size(); ++i) {
    if (b.reasons()[i].kind == BogonKind::kRirUnlisted)
      unlisted.Add(b.Addresses(static_cast<uint32_t>(i)));
  }
  EXPECT_EQ(unlisted.AddressCount(), Uint128{(1u << 24) - 2048});
  EXPECT_EQ(unlisted.ToPrefixes()[0].ToString(), "41.0.8.0/21");
}

TEST(Bogons, Ipv6Classification) {
  DelegatedStats stats;
  ASSERT_TRUE(stats
                  .LoadText("2|afrinic|1|2|0|0|0\n"
                            "afrinic|ZA|ipv6|2c0f:f000::|20|20100101|allocated|A\n"
                            "afrinic|ZZ|ipv6|2c0e::|16||available|\n",
                            "afrinic6")
                  .ok());
  IanaRegistry iana;
  ASSERT_TRUE(iana.LoadText("Prefix,Designation,Date,WHOIS,RDAP,Status,Note\n"
                            "2001:0000::/23,IANA,1999-07-01,whois.iana.org,,ALLOCATED,\n"
                            "2c00:0000::/12,AFRINIC,2006-10-03,whois.afrinic.net,,ALLOCATED,\n"
                            "3000:0000::/4,IANA,1999-07-01,,,RESERVED,\n",
                            "iana6")
                  .ok());
  BogonList b = BogonList::Compute(stats, iana);
  auto kind = [&](const char* a) -> std::string {
    const BogonReason* r = b.Classify(*IpAddress::Parse(a));
    return r ? std::string(BogonKindName(r->kind)) : "none";
  };
  EXPECT_EQ(kind("2c0f:f000::1"), "none");
  EXPECT_EQ(kind("2c0e::1"), "rir-not-delegated");
  EXPECT_EQ(kind("2c00::1"), "rir-unlisted");  // afrinic is the only RIR IANA names here
  EXPECT_EQ(kind("2100::1"), "iana-unallocated");
  EXPECT_EQ(kind("3001::1"), "iana-reserved");
  EXPECT_EQ(kind("4000::1"), "iana-reserved");  // outside 2000::/3
  EXPECT_EQ(kind("fc00::1"), "special-purpose");
  EXPECT_EQ(kind("2001:2::1"), "special-purpose");
  EXPECT_EQ(b.Classify(*IpAddress::Parse("2001:2::1"))->detail,
            "IETF Protocol Assignments (RFC 2928)");
  // Globally reachable special-purpose space is never a bogon.
  EXPECT_EQ(kind("2001:3::1"), "none");
  EXPECT_EQ(kind("2001::1"), "none");  // Teredo
  EXPECT_EQ(kind("2002::1"), "none");  // 6to4
  EXPECT_EQ(kind("64:ff9b::1"), "none");
  EXPECT_EQ(kind("2620:4f:8000::1"), "none");
}

TEST(Bogons, SpecialOnlyAndAsns) {
  DelegatedStats stats;
  ASSERT_TRUE(stats.LoadText(kAfrinic, "afrinic").ok());
  IanaRegistry iana;
  ASSERT_TRUE(iana.LoadText(kIanaV4, "iana").ok());
  BogonList only = BogonList::Compute(stats, iana, {.special_only = true});
  EXPECT_EQ(Lines(only, Family::kIpv4), kSpecialV4);
  EXPECT_EQ(only.asns().size(), SpecialAsnRanges().size());

  BogonList b = BogonList::Compute(stats, iana);
  ASSERT_EQ(b.asns().size(), SpecialAsnRanges().size() + 1);
  const BogonReason* r = b.ClassifyAsn(37000);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->detail, "afrinic available");
  EXPECT_EQ(b.ClassifyAsn(37001), nullptr);  // allocated wins over available
  EXPECT_EQ(b.ClassifyAsn(3356), nullptr);
  EXPECT_EQ(b.ClassifyAsn(23456)->detail, "AS_TRANS (RFC 6793)");
  EXPECT_EQ(b.ClassifyAsn(4294967295u)->detail, "Last 32-bit ASN (RFC 7300)");
}

TEST(PrefixList, HostileLines) {
  PrefixListFile f;
  ParsePrefixList(
      "# comment\r\n10.0.0.0/8\r\n  192.0.2.0/24  # trailing\n10.0.0.1/8\nhello\n"
      "2001:db8::/32\n\n" +
          std::string(300, 'x'),
      "list", &f);
  EXPECT_EQ(f.prefixes, 3u);
  EXPECT_EQ(f.problems.count(), 3u);
  ASSERT_EQ(f.problems.kept().size(), 3u);
  EXPECT_EQ(f.problems.kept()[0].where, "list:4");
  EXPECT_EQ(f.problems.kept()[1].where, "list:5");
  EXPECT_EQ(f.problems.kept()[2].where, "list:8");
  EXPECT_EQ(f.v4.AddressCount(), Uint128{(1u << 24) + 256});
  EXPECT_EQ(f.v6.ToPrefixes()[0].ToString(), "2001:db8::/32");
}

// The comparison with Team Cymru's fullbogons (2022-03-16) inside the LACNIC
// and AFRINIC regions. Expected figures computed independently by
// src/registry/fullbogons_check.py (Python's ipaddress over the same files):
//   python3 src/registry/fullbogons_check.py ../shared/data/registry
// docs/bogons.md explains every difference.
TEST(Bogons, AgreementWithTeamCymruFullbogons) {
  if (!HaveSharedData("registry/bogons/fullbogons-ipv4.txt") ||
      !HaveSharedData("registry/delegated/delegated-lacnic-extended-20230323.gz")) {
    GTEST_SKIP() << "../shared/data/registry absent";
  }
  Registry reg;
  ASSERT_TRUE(reg.Load(SharedData() + "/registry").ok());
  reg.Build();
  EXPECT_EQ(reg.stats().skipped(), 0u);
  EXPECT_EQ(reg.bogons().covered_rirs(Family::kIpv4),
            (std::vector<std::string>{"afrinic", "lacnic"}));
  PrefixListFile cymru;
  ASSERT_TRUE(LoadPrefixList(SharedData() + "/registry/bogons/fullbogons-ipv4.txt", &cymru).ok());
  ASSERT_TRUE(
      LoadPrefixList(SharedData() + "/registry/bogons/fullbogons-ipv6.txt.gz", &cymru).ok());
  EXPECT_EQ(cymru.problems.count(), 0u);
  struct Want {
    const char* rir;
    Family family;
    const char* region;
    const char* both;
    const char* only_ours;
    const char* only_theirs;
  };
  for (const Want& w : std::initializer_list<Want>{
           {"afrinic", Family::kIpv4, "100663296", "1376256", "3273728", "221696"},
           {"lacnic", Family::kIpv4, "167772160", "0", "39168", "1536"},
           {"afrinic", Family::kIpv6, "83117314555764545397335835770093568",
            "80537236406431488519441056995999744", "1773527344254522126645368255938560",
            "31453962538721940247456155435008"},
           {"lacnic", Family::kIpv6, "83117314555764545397335835770093568",
            "78920516613069226769816920417894400", "2912547725900133286965193434202112",
            "42393454909162264313105160863744"},
       }) {
    const RangeSet region = RirRegion(reg.iana(), w.rir, w.family);
    const Agreement a = Compare(reg.bogons().All(w.family),
                                w.family == Family::kIpv4 ? cymru.v4 : cymru.v6, region);
    SCOPED_TRACE(std::string(w.rir) + (w.family == Family::kIpv4 ? " ipv4" : " ipv6"));
    EXPECT_EQ(FormatUint128(a.region), w.region);
    EXPECT_EQ(FormatUint128(a.both), w.both);
    EXPECT_EQ(FormatUint128(a.only_ours), w.only_ours);
    EXPECT_EQ(FormatUint128(a.only_theirs), w.only_theirs);
  }
}

// A prefix list is streamed: 1 GiB of zeros in 1 MiB of gzip is read in
// constant memory and cut at kMaxPrefixListBytes with a problem, not loaded
// whole (it used to take 2.1 GB).
TEST(PrefixList, GzipBombIsStreamedAndCut) {
  const bool ran = test_util::ExpectGzipBombHandled(
      "bogons.txt.gz", uint64_t{64} << 20, [](const std::string& f) {
        PrefixListFile list;
        if (!LoadPrefixList(f, &list).ok() || list.prefixes != 0) return 1;
        for (const LoadProblem& p : list.problems) {
          if (p.message.find("kMaxPrefixListBytes") != std::string::npos) return 0;
        }
        return 2;
      });
  if (!ran) GTEST_SKIP() << "needs gzip(1)";
}

TEST(PrefixList, StreamedFileReadsLinesAcrossChunksAndReportsLongOnes) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigia-bomb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string text = "# bogons\n";
  for (int i = 0; i < 20000; ++i)
    text += "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24\n";
  text += std::string(5000, 'x') + "\n192.0.2.0/24";  // a long line, then no final newline
  const std::string path = (dir / "list.txt").string();
  std::ofstream(path) << text;
  PrefixListFile f;
  ASSERT_TRUE(LoadPrefixList(path, &f).ok());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(f.prefixes, 20001u);
  ASSERT_EQ(f.problems.count(), 1u);
  EXPECT_EQ(f.problems.kept()[0].where, path + ":20002");
  EXPECT_NE(f.problems.kept()[0].message.find("longer than 4096"), std::string::npos);
}

// A delegated file is parsed from memory: a gzip bomb in the registry stops
// at kMaxDelegatedFileBytes, named in the error.
TEST(DelegatedHostileFile, GzipBombIsRefusedAtTheDecompressedCap) {
  const bool ran = test_util::ExpectGzipBombHandled(
      "delegated-x.gz", kMaxDelegatedFileBytes * 3, [](const std::string& f) {
        DelegatedStats stats;
        return test_util::RefusedNaming(stats.LoadFile(f), "kMaxDelegatedFileBytes");
      });
  if (!ran) GTEST_SKIP() << "needs gzip(1)";
}

}  // namespace
}  // namespace vigia::registry
