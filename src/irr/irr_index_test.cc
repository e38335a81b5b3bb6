#include "irr/irr_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/test_util.h"
#include "irr/route_check.h"

namespace vigia::irr {
namespace {

std::string IrrData() { return test_util::SharedData() + "/irr"; }
bool HaveIrrData() { return test_util::HaveSharedData("irr"); }

Prefix P(const char* s) { return *Prefix::Parse(s); }

// A small database covering every check state.
constexpr const char* kRoutes =
    "route:   10.0.0.0/8\n"
    "origin:  AS100\n"
    "mnt-by:  MNT-BIG\n"
    "source:  RADB\n"
    "\n"
    "route:   10.1.0.0/16\n"
    "origin:  AS200\n"
    "mnt-by:  MNT-B\n"
    "source:  RADB\n"
    "\n"
    "route:   10.1.0.0/16\n"
    "origin:  AS300\n"
    "source:  RIPE\n"
    "\n"
    "route:   10.1.2.0/24\n"
    "origin:  AS100\n"
    "source:  RIPE\n"
    "\n"
    "route6:  2001:db8::/32\n"
    "origin:  AS100\n"
    "source:  RIPE\n";

TEST(IrrCheck, StatesAndPrecedence) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kRoutes, "r.db").ok());
  EXPECT_EQ(db.problems().count(), 0u);
  ASSERT_EQ(db.routes().size(), 5u);

  IrrCheckResult r = CheckRoute(db, P("10.1.2.0/24"), 100);
  EXPECT_EQ(r.state, IrrState::kExact);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(db.routes()[r.objects[0]].prefix, P("10.1.2.0/24"));

  // Exact registrations of other origins exist, but a less-specific of the
  // same origin wins over them.
  r = CheckRoute(db, P("10.1.0.0/16"), 100);
  EXPECT_EQ(r.state, IrrState::kLessSpecific);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(db.routes()[r.objects[0]].prefix, P("10.0.0.0/8"));

  // 10.1.2.128/25 by AS200: covered only by objects of AS100, AS200
  // (10.1/16) and AS300: AS200 has the /16.
  r = CheckRoute(db, P("10.1.2.128/25"), 200);
  EXPECT_EQ(r.state, IrrState::kLessSpecific);

  r = CheckRoute(db, P("10.1.0.0/16"), 999);
  EXPECT_EQ(r.state, IrrState::kOtherOrigin);
  ASSERT_EQ(r.objects.size(), 3u);
  // Most specific first; RADB before RIPE (load order) within a prefix.
  EXPECT_EQ(db.routes()[r.objects[0]].origin, 200u);
  EXPECT_EQ(db.routes()[r.objects[1]].origin, 300u);
  EXPECT_EQ(db.routes()[r.objects[2]].prefix, P("10.0.0.0/8"));

  EXPECT_EQ(CheckRoute(db, P("11.0.0.0/8"), 100).state, IrrState::kNotFound);
  // A more-specific registration says nothing about its aggregate.
  EXPECT_EQ(CheckRoute(db, P("10.1.2.0/23"), 100).state, IrrState::kLessSpecific);
  EXPECT_EQ(CheckRoute(db, P("2001:db8:1::/48"), 100).state, IrrState::kLessSpecific);
  EXPECT_EQ(CheckRoute(db, P("2001:db9::/32"), 100).state, IrrState::kNotFound);
  // Host bits of the query are ignored.
  EXPECT_EQ(CheckRoute(db, *Prefix::Parse("10.1.2.7/24", true), 100).state, IrrState::kExact);
}

TEST(IrrCheck, SourcesRestrictTheAnswer) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kRoutes, "r.db").ok());
  const SourceId radb = *db.FindSource("radb");
  const SourceId ripe = *db.FindSource("RIPE");
  const SourceId only_radb[] = {radb};
  EXPECT_EQ(CheckRoute(db, P("10.1.2.0/24"), 100, only_radb).state, IrrState::kLessSpecific);
  const SourceId only_ripe[] = {ripe};
  IrrCheckResult r = CheckRoute(db, P("10.1.0.0/16"), 100, only_ripe);
  EXPECT_EQ(r.state, IrrState::kOtherOrigin);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(db.routes()[r.objects[0]].origin, 300u);
  EXPECT_EQ(CheckRoute(db, P("2001:db8::/32"), 100, only_radb).state, IrrState::kNotFound);
}

TEST(IrrDatabase, DefaultSourceFromTheFileNameAndCaseFolding) {
  EXPECT_EQ(DefaultSourceFor("/x/y/radb.db.gz"), "RADB");
  EXPECT_EQ(DefaultSourceFor("ripe.db.route6.gz"), "RIPE");
  EXPECT_EQ(DefaultSourceFor("-"), "UNKNOWN");
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText("route: 192.0.2.0/24\norigin: AS1\n\n"
                          "route: 198.51.100.0/24\norigin: AS1\nsource: altdb\n",
                          "/data/level3.db")
                  .ok());
  ASSERT_EQ(db.sources().size(), 2u);
  EXPECT_EQ(db.sources()[0], "LEVEL3");
  EXPECT_EQ(db.sources()[1], "ALTDB");
  IrrDatabase named;
  ASSERT_TRUE(
      named.LoadText("route: 192.0.2.0/24\norigin: AS1\n", "x", {.default_source = "mine"}).ok());
  EXPECT_EQ(named.sources()[0], "MINE");
}

TEST(IrrDatabase, DuplicateRoutesAreKeptOnceAndLaterSetsReplaceEarlierOnes) {
  IrrDatabase db;
  const std::string text =
      "route: 192.0.2.0/24\norigin: AS1\nsource: X\n\n"
      "as-set: AS-A\nmembers: AS1\nsource: X\n\n";
  ASSERT_TRUE(db.LoadText(text, "one").ok());
  ASSERT_TRUE(db.LoadText(text + "as-set: as-a\nmembers: AS2, AS3\nsource: x\n", "two").ok());
  EXPECT_EQ(db.routes().size(), 1u);
  EXPECT_EQ(db.Where(db.routes()[0].place), "one:1");
  const AsSetObject* s = db.FindAsSet("AS-A", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(db.Members(*s).size(), 2u);
  EXPECT_EQ(db.Where(s->place), "two:9");
}

TEST(IrrDatabase, LookupsBySourceOrder) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText("as-set: AS-A\nmembers: AS1\nsource: ONE\n\n"
                          "as-set: AS-A\nmembers: AS2\nsource: TWO\n\n"
                          "aut-num: AS1\nas-name: FIRST\nsource: TWO\n\n"
                          "mntner: MAINT-X\nsource: ONE\n\n"
                          "route-set: RS-A\nmembers: 192.0.2.0/24^+\nsource: TWO\n",
                          "x")
                  .ok());
  const SourceId one = *db.FindSource("ONE"), two = *db.FindSource("TWO");
  const SourceId two_first[] = {two, one};
  EXPECT_EQ(db.Members(*db.FindAsSet("as-a", {}))[0].value, 1u);
  EXPECT_EQ(db.Members(*db.FindAsSet("AS-A", two_first))[0].value, 2u);
  const SourceId only_one[] = {one};
  EXPECT_EQ(db.FindAutNum(1, only_one), nullptr);
  ASSERT_NE(db.FindAutNum(1, {}), nullptr);
  EXPECT_EQ(db.strings().Get(db.FindAutNum(1, {})->as_name), "FIRST");
  EXPECT_NE(db.FindMntner("maint-x", {}), nullptr);
  const RouteSetObject* rs = db.FindRouteSet("rs-a", {});
  ASSERT_NE(rs, nullptr);
  EXPECT_EQ(db.strings().Get(db.Members(*rs)[0].text), "192.0.2.0/24^+");
}

TEST(IrrDatabase, HostileRpslIsReportedNotFatal) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText("route: 192.0.2.0/24\r\norigin: AS1\r\n\r\n"
                          "route: 192.0.2.0/24\norigin: ASX\n\n"
                          "route: 999.0.2.0/24\norigin: AS1\n\n"
                          "\x01\x02\x03\n\n"
                          "route: 198.51.100.0/24\norig",
                          "h.db")
                  .ok());
  EXPECT_EQ(db.routes().size(), 1u);
  ASSERT_EQ(db.problems().count(), 4u);
  EXPECT_EQ(db.problems().kept()[0].where, "h.db:4");
  EXPECT_EQ(db.problems().kept()[1].where, "h.db:7");
  EXPECT_EQ(db.problems().kept()[2].where, "h.db:10");
  // The cut-off last object: reported once, at the line the input ends in.
  EXPECT_EQ(db.problems().kept()[3].where, "h.db:13");
  EXPECT_NE(db.problems().kept()[3].message.find("truncated"), std::string::npos);
  EXPECT_EQ(db.counts().skipped, 4u);
}

TEST(IrrDatabase, UnreadableFileIsAnError) {
  IrrDatabase db;
  EXPECT_FALSE(db.LoadFile("/nonexistent/radb.db").ok());
}

TEST(ArinWhois, HostileJsonIsReportedNotFatal) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(R"({"source": "ARIN-WHOIS", "whois_records": {"v4": [
      {"prefix": "192.0.2.0/24", "originas": "AS64496", "name": "NET-192-0-2-0-1"},
      {"prefix": "192.0.2.0/33", "originas": "AS1"},
      {"prefix": "198.51.100.0/24"},
      {"prefix": "198.51.100.0/24", "originas": "AS1 AS2, AS3"},
      {"prefix": "203.0.113.0/24", "originas": "ASX"},
      7],
      "v6": [{"prefix": "2001:db8::/32", "originas": "AS64496"}]}})",
                          "arin.json")
                  .ok());
  EXPECT_EQ(db.counts().arin_v4, 2u);
  EXPECT_EQ(db.counts().arin_v6, 1u);
  EXPECT_EQ(db.routes().size(), 5u);
  ASSERT_EQ(db.problems().count(), 4u);
  EXPECT_EQ(db.problems().kept()[0].where, "arin.json: whois_records.v4[1]");
  EXPECT_EQ(db.problems().kept()[3].where, "arin.json: whois_records.v4[5]");
  EXPECT_EQ(db.sources()[0], "ARIN-WHOIS");
  IrrCheckResult r = CheckRoute(db, P("192.0.2.0/24"), 64496);
  ASSERT_EQ(r.state, IrrState::kExact);
  EXPECT_EQ(db.strings().Get(db.routes()[r.objects[0]].name), "NET-192-0-2-0-1");
  EXPECT_EQ(db.Where(db.routes()[r.objects[0]].place), "arin.json: whois_records.v4[0]");
  EXPECT_EQ(CheckRoute(db, P("198.51.100.0/24"), 3).state, IrrState::kExact);
  r = CheckRoute(db, P("2001:db8::/32"), 64496);
  EXPECT_EQ(db.Where(db.routes()[r.objects[0]].place), "arin.json: whois_records.v6[0]");

  for (const char* bad :
       {"{", "{\"whois_records\": 5}", "{\"whois_records\": {\"v4\": [{\"prefix\": "}) {
    IrrDatabase d;
    Status s = d.LoadText(bad, "bad.json");
    EXPECT_TRUE(!s.ok() || d.problems().count() > 0) << bad;
  }
  IrrDatabase other;
  EXPECT_FALSE(other.LoadText("{\"roas\": []}", "vrps.json").ok());
}

// A download cut short: the records before the cut are kept, and the cut is
// reported with the byte offset where the input ended.
TEST(ArinWhois, TruncatedJsonKeepsTheRecordsBeforeTheCut) {
  const std::string text = R"({"source": "ARIN-WHOIS", "whois_records": {"v4": [
      {"prefix": "192.0.2.0/24", "originas": "AS64496"},
      {"prefix": "198.51.100.0/24", "originas": "AS64497"},
      {"prefix": "203.0.113.0/24", "orig)";
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(text, "cut.json").ok());
  EXPECT_EQ(db.counts().arin_v4, 2u);
  EXPECT_EQ(CheckRoute(db, P("198.51.100.0/24"), 64497).state, IrrState::kExact);
  ASSERT_EQ(db.problems().count(), 1u);
  EXPECT_EQ(db.problems().kept()[0].where, "cut.json");
  EXPECT_NE(db.problems().kept()[0].message.find("byte " + std::to_string(text.size())),
            std::string::npos)
      << db.problems().kept()[0].message;
  EXPECT_NE(db.problems().kept()[0].message.find("truncated"), std::string::npos);
}

// A .json.bz2 cut in half: both the bzip2 cut (with its compressed offset)
// and the JSON cut are reported; the records before them are kept.
TEST(IrrRealData, TruncatedArinWhoisBzip2ReportsTheBzip2Cut) {
  if (!HaveIrrData()) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  const std::string src = IrrData() + "/arin-whois/arin-whois-originas-20220925.json.bz2";
  const std::string cut = (std::filesystem::temp_directory_path() /
                           ("vigia-arin-cut-" + std::to_string(::getpid()) + ".json.bz2"))
                              .string();
  std::filesystem::copy_file(src, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, std::filesystem::file_size(src) / 2);
  IrrDatabase db;
  ASSERT_TRUE(db.LoadFile(cut).ok());
  std::filesystem::remove(cut);
  EXPECT_GT(db.counts().arin_v4, 10'000u);
  ASSERT_EQ(db.problems().count(), 2u);
  bool json_cut = false, bzip2_cut = false;
  for (const LoadProblem& p : db.problems()) {
    json_cut |= p.message.find("JSON ends at byte") != std::string::npos;
    bzip2_cut |= p.message.find("bzip2 stream truncated at compressed offset") != std::string::npos;
  }
  EXPECT_TRUE(json_cut);
  EXPECT_TRUE(bzip2_cut);
}

// ---- real data ----

TEST(IrrRealData, EveryRpslFixtureLoadsAndIllegalOnesAreReported) {
  if (!HaveIrrData()) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  const std::string dir = IrrData() + "/rpsl-fixtures/";
  struct Case {
    const char* file;
    uint64_t route, aut_num, as_set, route_set, mntner, problems;
  };
  // Counted by hand from the files (grep -c '^route:' etc.).
  const Case cases[] = {
      {"as-set.txt", 0, 0, 1, 0, 0, 0},
      {"aut-num.txt", 0, 1, 0, 0, 0, 0},
      {"illegal.txt", 0, 0, 0, 0, 0, 1},
      {"keyword-autnum.txt", 0, 0, 0, 0, 0, 1},
      {"mntner.txt", 0, 0, 0, 0, 1, 0},
      {"route-set.txt", 0, 0, 0, 1, 0, 0},
      {"route.txt", 1, 0, 0, 0, 0, 0},
      {"route6.txt", 0, 0, 0, 0, 0, 0},
      {"ten-records.txt", 8, 2, 0, 0, 0, 0},
      {"test.db", 0, 3, 0, 0, 0, 1},  // no newline after its last line: a cut
      {"two-records.txt", 0, 2, 0, 0, 0, 0},
  };
  for (const Case& c : cases) {
    IrrDatabase db;
    ASSERT_TRUE(db.LoadFile(dir + c.file).ok()) << c.file;
    EXPECT_EQ(db.counts().route, c.route) << c.file;
    EXPECT_EQ(db.counts().aut_num, c.aut_num) << c.file;
    EXPECT_EQ(db.counts().as_set, c.as_set) << c.file;
    EXPECT_EQ(db.counts().route_set, c.route_set) << c.file;
    EXPECT_EQ(db.counts().mntner, c.mntner) << c.file;
    EXPECT_EQ(db.problems().count(), c.problems) << c.file;
  }
  IrrDatabase db;
  ASSERT_TRUE(db.LoadFile(dir + "illegal.txt").ok());
  EXPECT_EQ(db.problems().kept()[0].where, dir + "illegal.txt:1");
  EXPECT_NE(db.problems().kept()[0].message.find("\"mnt\""), std::string::npos);
  IrrDatabase kw;
  ASSERT_TRUE(kw.LoadFile(dir + "keyword-autnum.txt").ok());
  EXPECT_EQ(kw.problems().kept()[0].where, dir + "keyword-autnum.txt:2");

  IrrDatabase r6;
  ASSERT_TRUE(r6.LoadFile(dir + "route6.txt").ok());
  EXPECT_EQ(r6.counts().route6, 1u);
  EXPECT_EQ(CheckRoute(r6, P("2001:1988::/32"), 16467).state, IrrState::kExact);

  IrrDatabase rs;
  ASSERT_TRUE(rs.LoadFile(dir + "route-set.txt").ok());
  const RouteSetObject* set = rs.FindRouteSet("RS-CTB-NOVA", {});
  ASSERT_NE(set, nullptr);
  // 6 members (one after a lone '+' continuation line) and 3 mp-members.
  EXPECT_EQ(rs.Members(*set).size(), 9u);
  EXPECT_EQ(rs.sources()[0], "RADB");

  IrrDatabase as;
  ASSERT_TRUE(as.LoadFile(dir + "as-set.txt").ok());
  const AsSetObject* a = as.FindAsSet("AS-CENTRILOGIC-UK:AS-CUSTOMERS", {});
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(as.Members(*a).size(), 2u);
  EXPECT_EQ(as.Members(*a)[1].value, 33459u);
}

TEST(IrrRealData, RipeRouteSample) {
  if (!HaveIrrData()) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  IrrDatabase db;
  ASSERT_TRUE(db.LoadFile(IrrData() + "/ripe-db-sample/ripe-db-route.txt").ok());
  ASSERT_TRUE(db.LoadFile(IrrData() + "/ripe-db-sample/ripe-db-route6.txt").ok());
  // Independent counts: grep -c '^route:' and grep -c '^route6:' give 62
  // each; awk over (route, origin) pairs shows no duplicates.
  EXPECT_EQ(db.counts().route, 62u);
  EXPECT_EQ(db.counts().route6, 62u);
  EXPECT_EQ(db.routes().size(), 124u);
  EXPECT_EQ(db.problems().count(), 0u);
  ASSERT_EQ(db.sources().size(), 1u);
  EXPECT_EQ(db.sources()[0], "RIPE");
  // The first objects of each file.
  IrrCheckResult r = CheckRoute(db, P("193.254.30.0/24"), 12726);
  ASSERT_EQ(r.state, IrrState::kExact);
  EXPECT_EQ(db.strings().Get(db.routes()[r.objects[0]].mnt_by), "AS12312-MNT");
  EXPECT_EQ(db.Where(db.routes()[r.objects[0]].place),
            IrrData() + "/ripe-db-sample/ripe-db-route.txt:8");
  EXPECT_EQ(CheckRoute(db, P("2001:1578:200::/40"), 12817).state, IrrState::kExact);
  EXPECT_EQ(CheckRoute(db, P("2001:1578:200::/48"), 12817).state, IrrState::kLessSpecific);
  EXPECT_EQ(CheckRoute(db, P("193.254.30.0/24"), 1).state, IrrState::kOtherOrigin);
}

TEST(IrrRealData, ArinWhoisOriginAs) {
  if (!HaveIrrData()) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  IrrDatabase db;
  ASSERT_TRUE(db.LoadFile(IrrData() + "/arin-whois/arin-whois-originas-20220925.json.bz2").ok());
  // The data README says 107,165 IPv4 + 10,338 IPv6 records; python3's json
  // module over the same file agrees, and finds 106,325 + 10,303 distinct
  // (prefix, originas) pairs, which is what remains after de-duplication.
  EXPECT_EQ(db.counts().arin_v4, 107'165u);
  EXPECT_EQ(db.counts().arin_v6, 10'338u);
  EXPECT_EQ(db.routes().size(), 106'325u + 10'303u);
  EXPECT_EQ(db.problems().count(), 0u);
  ASSERT_EQ(db.sources().size(), 1u);
  EXPECT_EQ(db.sources()[0], "ARIN-WHOIS");
  // The first record: 3.0.0.0/15 AS38895 NET-3-0-0-0-2.
  IrrCheckResult r = CheckRoute(db, P("3.0.0.0/15"), 38895);
  ASSERT_EQ(r.state, IrrState::kExact);
  EXPECT_EQ(db.strings().Get(db.routes()[r.objects[0]].name), "NET-3-0-0-0-2");
  EXPECT_EQ(CheckRoute(db, P("3.0.0.0/16"), 38895).state, IrrState::kLessSpecific);
  // The last v6 record: 2620:1ff::/36 AS10497.
  EXPECT_EQ(CheckRoute(db, P("2620:1ff::/36"), 10497).state, IrrState::kExact);
}

}  // namespace
}  // namespace vigia::irr
