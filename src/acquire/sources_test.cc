// The sources' plans (sources/*.cc) for fixed dates: exactly the archives'
// real URLs, spelled out here with the page that documents each layout;
// windows and month boundaries; `only`; nearest-before selection and MD5s
// from canned listing and checksum texts (fetch_text is a lambda over
// them: the real-server test is update_test.cc's); today against a past
// date; the sources without a public export.
#include "acquire/sources/sources.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "acquire/source.h"
#include "snapshot/layout.h"

namespace vigia::acquire {
namespace {

// "2024-05-23" -> a context whose window is [start_minute, end_minute) of
// that day, with the source's default base.
PlanContext Ctx(const std::string& source, const std::string& date, int start_minute = 0,
                int end_minute = 24 * 60) {
  PlanContext c;
  c.date = date;
  c.yyyymmdd =
      static_cast<uint32_t>(std::stoul(date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2)));
  c.window_start = plan::DayStart(c) + start_minute * 60;
  c.window_end = plan::DayStart(c) + end_minute * 60;
  c.base = FindSource(source)->default_base;
  return c;
}

SourcePlan PlanOf(const std::string& source, const PlanContext& ctx) {
  const SourceInfo* s = FindSource(source);
  EXPECT_NE(s, nullptr) << source;
  auto r = s->plan(ctx);
  EXPECT_TRUE(r.ok()) << source << ": " << r.status().message();
  return r.ok() ? *r : SourcePlan{};
}

std::vector<std::string> Urls(const SourcePlan& p) {
  std::vector<std::string> u;
  for (const auto& f : p.files) u.push_back(f.url);
  return u;
}

std::vector<std::string> Dests(const SourcePlan& p) {
  std::vector<std::string> d;
  for (const auto& f : p.files) d.push_back(f.dest);
  return d;
}

// A fetch_text over canned texts; anything else is a 404.
std::function<Result<std::string>(const std::string&)> Canned(
    std::map<std::string, std::string> texts, std::vector<std::string>* asked = nullptr) {
  return [texts = std::move(texts), asked](const std::string& url) -> Result<std::string> {
    if (asked != nullptr) asked->push_back(url);
    auto it = texts.find(url);
    if (it == texts.end()) return Status::NotFound("HTTP 404");
    return it->second;
  };
}

TEST(Sources, TableHasEveryIssueSourceOnceWithAPlan) {
  std::set<std::string> names;
  for (const SourceInfo& s : Sources()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_NE(s.plan, nullptr) << s.name;
    EXPECT_FALSE(s.what.empty()) << s.name;
    if (!s.default_base.empty()) {
      EXPECT_NE(s.default_base.back(), '/') << s.name;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"ris", "routeviews", "rpki", "irr", "rir-stats", "iana",
                                          "caida", "peeringdb", "manrs", "spoofer"}));
  EXPECT_EQ(FindSource("nope"), nullptr);
  EXPECT_EQ(FindSource("ris")->part, snapshot::Part::kMrt);
}

// RIS layout: https://ris.ripe.net/docs/mrt/ ("rrcNN/YYYY.MM/", bview every
// 8 h at 00/08/16 UTC, updates every 5 minutes, named by their start).
TEST(Sources, RisWindowGivesTheBviewBeforeItAndEveryFiveMinuteFile) {
  PlanContext ctx = Ctx("ris", "2024-05-23", 9 * 60 + 50, 10 * 60 + 5);  // 09:50-10:05
  ctx.only = {"rrc00"};
  const SourcePlan p = PlanOf("ris", ctx);
  EXPECT_EQ(Urls(p), (std::vector<std::string>{
                         "https://data.ris.ripe.net/rrc00/2024.05/bview.20240523.0800.gz",
                         "https://data.ris.ripe.net/rrc00/2024.05/updates.20240523.0950.gz",
                         "https://data.ris.ripe.net/rrc00/2024.05/updates.20240523.0955.gz",
                         "https://data.ris.ripe.net/rrc00/2024.05/updates.20240523.1000.gz",
                     }));
  EXPECT_EQ(Dests(p)[0], "mrt/rrc00.bview.20240523.0800.gz");
  EXPECT_EQ(Dests(p)[1], "mrt/rrc00.updates.20240523.0950.gz");
  EXPECT_EQ(p.files[0].source_date, "2024-05-23T08:00:00Z");
  for (const auto& f : p.files) {
    EXPECT_FALSE(f.required);  // a missing collector is a partial source
    EXPECT_EQ(f.item, "rrc00");
    EXPECT_EQ(snapshot::CollectorOf(plan::BaseName(f.dest)), "rrc00");
  }
  EXPECT_TRUE(snapshot::IsRibDump(plan::BaseName(p.files[0].dest)));
  EXPECT_FALSE(snapshot::IsRibDump(plan::BaseName(p.files[1].dest)));
}

TEST(Sources, RisWholeDayIsEveryCollectorWith289Files) {
  const SourcePlan p = PlanOf("ris", Ctx("ris", "2024-05-23"));
  std::set<std::string> items;
  for (const auto& f : p.files) items.insert(f.item);
  EXPECT_EQ(items.size(), 27u);  // rrc00 .. rrc26
  EXPECT_TRUE(items.count("rrc00") && items.count("rrc26"));
  EXPECT_EQ(p.files.size(), 27u * (1 + 288));
  EXPECT_EQ(p.files[0].url, "https://data.ris.ripe.net/rrc00/2024.05/bview.20240523.0000.gz");
  EXPECT_EQ(p.files[288].url, "https://data.ris.ripe.net/rrc00/2024.05/updates.20240523.2355.gz");
}

TEST(Sources, RisMonthBoundaryTakesTheMonthOfEachFile) {
  // The window 2024-06-01 00:00-00:10 UTC: the bview and updates are June's.
  PlanContext ctx = Ctx("ris", "2024-06-01", 0, 10);
  ctx.only = {"rrc01"};
  ctx.base = "http://127.0.0.1:8080/ris";  // --mirror ris=...
  EXPECT_EQ(Urls(PlanOf("ris", ctx)),
            (std::vector<std::string>{
                "http://127.0.0.1:8080/ris/rrc01/2024.06/bview.20240601.0000.gz",
                "http://127.0.0.1:8080/ris/rrc01/2024.06/updates.20240601.0000.gz",
                "http://127.0.0.1:8080/ris/rrc01/2024.06/updates.20240601.0005.gz",
            }));
  // A window starting at 23:58 on 2024-05-31 (day boundary, month boundary):
  // the bview of 16:00 on May 31 lives under 2024.05, the files after
  // midnight under 2024.06.
  PlanContext late = Ctx("ris", "2024-05-31", 23 * 60 + 58, 24 * 60 + 3);
  late.only = {"rrc01"};
  EXPECT_EQ(Urls(PlanOf("ris", late)),
            (std::vector<std::string>{
                "https://data.ris.ripe.net/rrc01/2024.05/bview.20240531.1600.gz",
                "https://data.ris.ripe.net/rrc01/2024.05/updates.20240531.2355.gz",
                "https://data.ris.ripe.net/rrc01/2024.06/updates.20240601.0000.gz",
            }));
}

// RouteViews layout: https://www.routeviews.org/routeviews/ (archive
// section): route-views2 under /bgpdata, the others under
// /<collector>/bgpdata; YYYY.MM/RIBS/ every 2 h, YYYY.MM/UPDATES/ every
// 15 minutes.
TEST(Sources, RouteViewsRootAndNamedCollectors) {
  PlanContext ctx = Ctx("routeviews", "2024-05-23", 3 * 60, 3 * 60 + 30);  // 03:00-03:30
  ctx.only = {"route-views2", "route-views.amsix"};
  const SourcePlan p = PlanOf("routeviews", ctx);
  EXPECT_EQ(Urls(p),
            (std::vector<std::string>{
                "https://archive.routeviews.org/bgpdata/2024.05/RIBS/rib.20240523.0200.bz2",
                "https://archive.routeviews.org/bgpdata/2024.05/UPDATES/updates.20240523.0300.bz2",
                "https://archive.routeviews.org/bgpdata/2024.05/UPDATES/updates.20240523.0315.bz2",
                "https://archive.routeviews.org/route-views.amsix/bgpdata/2024.05/RIBS/"
                "rib.20240523.0200.bz2",
                "https://archive.routeviews.org/route-views.amsix/bgpdata/2024.05/UPDATES/"
                "updates.20240523.0300.bz2",
                "https://archive.routeviews.org/route-views.amsix/bgpdata/2024.05/UPDATES/"
                "updates.20240523.0315.bz2",
            }));
  EXPECT_EQ(p.files[0].dest, "mrt/route-views2.rib.20240523.0200.bz2");
  // The collector's dots would cut its name at the first '.' (layout.h).
  EXPECT_EQ(p.files[3].dest, "mrt/route-views-amsix.rib.20240523.0200.bz2");
  EXPECT_EQ(snapshot::CollectorOf(plan::BaseName(p.files[3].dest)), "route-views-amsix");
  EXPECT_TRUE(snapshot::IsRibDump(plan::BaseName(p.files[3].dest)));
  EXPECT_EQ(p.files[3].item, "route-views.amsix");
}

TEST(Sources, RouteViewsWholeDayIsOneRibAndNinetySixUpdates) {
  PlanContext ctx = Ctx("routeviews", "2024-05-23");
  ctx.only = {"route-views6"};
  const SourcePlan p = PlanOf("routeviews", ctx);
  ASSERT_EQ(p.files.size(), 1u + 96u);  // the RIB at 00:00, then 96 quarter hours
  EXPECT_EQ(p.files.back().url,
            "https://archive.routeviews.org/route-views6/bgpdata/2024.05/UPDATES/"
            "updates.20240523.2345.bz2");
}

// RIPE NCC RPKI archive: https://ftp.ripe.net/rpki/TAL/YYYY/MM/DD/
// (RIPE-NCC/internet-dataset-descriptions, rpki-repo-archive.md:
// output.json.xz since 2023-10-11, roas.csv.xz for every day).
TEST(Sources, RpkiPastDateReadsTheRipeArchivePerTrustAnchor) {
  PlanContext ctx = Ctx("rpki", "2024-05-23");
  ctx.local_files = {"/etc/vigia/local.slurm.json"};
  const SourcePlan p = PlanOf("rpki", ctx);
  EXPECT_EQ(Urls(p), (std::vector<std::string>{
                         "https://ftp.ripe.net/rpki/afrinic.tal/2024/05/23/output.json.xz",
                         "https://ftp.ripe.net/rpki/apnic.tal/2024/05/23/output.json.xz",
                         "https://ftp.ripe.net/rpki/arin.tal/2024/05/23/output.json.xz",
                         "https://ftp.ripe.net/rpki/lacnic.tal/2024/05/23/output.json.xz",
                         "https://ftp.ripe.net/rpki/ripencc.tal/2024/05/23/output.json.xz",
                     }));
  EXPECT_EQ(p.files[4].dest, "rpki/ripencc.output.json.xz");
  EXPECT_EQ(p.files[4].source_date, "2024-05-23");
  ASSERT_EQ(p.local.size(), 1u);
  EXPECT_EQ(p.local[0].second, "rpki/local.slurm.json");
  // Before JSON output existed: the validator CSV, and a note that there
  // are no ASPAs.
  const SourcePlan old = PlanOf("rpki", Ctx("rpki", "2022-01-01"));
  EXPECT_EQ(old.files[0].url, "https://ftp.ripe.net/rpki/afrinic.tal/2022/01/01/roas.csv.xz");
  EXPECT_EQ(old.files[0].dest, "rpki/afrinic.roas.csv.xz");
  ASSERT_FALSE(old.notes.empty());
  // APNIC's split repository (2012-10-26 .. 2018-04-04).
  const SourcePlan split = PlanOf("rpki", Ctx("rpki", "2015-06-30"));
  EXPECT_EQ(split.files.size(), 9u);
  EXPECT_EQ(split.files[1].url,
            "https://ftp.ripe.net/rpki/apnic-afrinic.tal/2015/06/30/roas.csv.xz");
}

TEST(Sources, RpkiTodayIsTheLiveRpkiClientJson) {
  PlanContext ctx = Ctx("rpki", "2026-12-06");
  ctx.today = true;
  const SourcePlan p = PlanOf("rpki", ctx);
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].url, "https://console.rpki-client.org/vrps.json");
  EXPECT_EQ(p.files[0].dest, "rpki/vrps.json");
  EXPECT_GT(p.files[0].max_age_seconds, 0);
  EXPECT_TRUE(p.files[0].required);
  EXPECT_EQ(p.files[0].source_date, "");  // the fetch time
  ctx.base = "http://127.0.0.1:9/rpki";
  EXPECT_EQ(PlanOf("rpki", ctx).files[0].url,
            "http://127.0.0.1:9/rpki/console.rpki-client.org/vrps.json");
}

// The RIRs' IRR dumps (RIPE: ftp.ripe.net/ripe/dbase/split/, documented in
// the RIPE Database docs "Bulk access"; APNIC: ftp.apnic.net/apnic/whois/;
// ARIN: ftp.arin.net/pub/rr/; AFRINIC: ftp.afrinic.net/pub/dbase/; LACNIC:
// ftp.lacnic.net/lacnic/dbase/; RADB: ftp.radb.net/radb/dbase/).
TEST(Sources, IrrDumpsAreTheRealPathsAndNotArchived) {
  const SourcePlan p = PlanOf("irr", Ctx("irr", "2024-05-23"));
  const auto u = Urls(p);
  const std::set<std::string> got(u.begin(), u.end());
  for (const char* want : {
           "https://ftp.ripe.net/ripe/dbase/split/ripe.db.route.gz",
           "https://ftp.ripe.net/ripe/dbase/split/ripe.db.route6.gz",
           "https://ftp.ripe.net/ripe/dbase/split/ripe.db.aut-num.gz",
           "https://ftp.ripe.net/ripe/dbase/split/ripe.db.as-set.gz",
           "https://ftp.ripe.net/ripe/dbase/split/ripe.db.route-set.gz",
           "https://ftp.arin.net/pub/rr/arin.db.gz",
           "https://ftp.apnic.net/apnic/whois/apnic.db.route.gz",
           "https://ftp.apnic.net/apnic/whois/apnic.db.route6.gz",
           "https://ftp.afrinic.net/pub/dbase/afrinic.db.gz",
           "https://ftp.lacnic.net/lacnic/dbase/lacnic.db.gz",
           "https://ftp.radb.net/radb/dbase/radb.db.gz",
       }) {
    EXPECT_TRUE(got.count(want)) << want;
  }
  EXPECT_EQ(p.files.size(), 5u + 1 + 5 + 1 + 1 + 1);
  for (const auto& f : p.files) {
    EXPECT_EQ(f.source_date, "");
    EXPECT_EQ(f.dest.rfind("irr/", 0), 0u);
  }
  ASSERT_FALSE(p.notes.empty());
  EXPECT_NE(p.notes[0].find("not archived"), std::string::npos);
  // Another IRR by name comes from RADB's mirror directory.
  PlanContext ctx = Ctx("irr", "2024-05-23");
  ctx.only = {"altdb", "../x"};
  const SourcePlan alt = PlanOf("irr", ctx);
  EXPECT_EQ(Urls(alt), (std::vector<std::string>{"https://ftp.radb.net/radb/dbase/altdb.db.gz"}));
  EXPECT_EQ(alt.files[0].dest, "irr/altdb.db.gz");
  EXPECT_EQ(alt.problems.size(), 1u);
}

// The RIR statistics (RIR Statistics Exchange Format: "delegated-<registry>
// -yyyymmdd", MD5 "published under a matching name, with file extension .md5
// appended"), each RIR at its own path and compression.
TEST(Sources, RirStatsPathsAndTheirMd5InThePlan) {
  PlanContext ctx = Ctx("rir-stats", "2024-05-23");
  const std::string md5a = "0123456789abcdef0123456789abcdef";
  std::vector<std::string> asked;
  ctx.fetch_text = Canned(
      {
          // APNIC, bare digest form; RIPE NCC, BSD form; ARIN coreutils form.
          {"https://ftp.apnic.net/stats/apnic/2024/delegated-apnic-extended-20240523.gz.md5",
           md5a + "\n"},
          {"https://ftp.ripe.net/pub/stats/ripencc/2024/"
           "delegated-ripencc-extended-20240523.bz2.md5",
           "MD5 (delegated-ripencc-extended-20240523.bz2) = FEDCBA9876543210FEDCBA9876543210\n"},
          {"https://ftp.arin.net/pub/stats/arin/delegated-arin-extended-20240523.md5",
           "00112233445566778899aabbccddeeff  delegated-arin-extended-20240523\n"},
          // LACNIC's names another file: not used.
          {"https://ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-20240523.md5",
           "MD5 (delegated-lacnic-extended-20240522) = 00112233445566778899aabbccddeeff\n"},
      },
      &asked);
  const SourcePlan p = PlanOf("rir-stats", ctx);
  EXPECT_EQ(
      Urls(p),
      (std::vector<std::string>{
          "https://ftp.afrinic.net/stats/afrinic/2024/delegated-afrinic-extended-20240523",
          "https://ftp.apnic.net/stats/apnic/2024/delegated-apnic-extended-20240523.gz",
          "https://ftp.arin.net/pub/stats/arin/delegated-arin-extended-20240523",
          "https://ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-20240523",
          "https://ftp.ripe.net/pub/stats/ripencc/2024/delegated-ripencc-extended-20240523.bz2",
      }));
  EXPECT_EQ(asked.size(), 5u);
  EXPECT_EQ(p.files[0].md5, "");  // AFRINIC's .md5: 404
  EXPECT_EQ(p.files[1].md5, md5a);
  EXPECT_EQ(p.files[2].md5, "00112233445566778899aabbccddeeff");
  EXPECT_EQ(p.files[3].md5, "");
  EXPECT_EQ(p.files[4].md5, "fedcba9876543210fedcba9876543210");
  EXPECT_EQ(p.files[1].dest, "registry/delegated-apnic-extended-20240523.gz");
  EXPECT_EQ(p.notes.size(), 2u);  // afrinic: no MD5; lacnic: names another file
  EXPECT_NE(p.notes[0].find("afrinic"), std::string::npos);
  EXPECT_NE(p.notes[1].find("lacnic"), std::string::npos);
}

TEST(Sources, RirStatsTodayReadsTheLatestFiles) {
  PlanContext ctx = Ctx("rir-stats", "2026-12-06");
  ctx.today = true;
  ctx.only = {"ripencc", "nic.br"};
  ctx.fetch_text = Canned({});
  const SourcePlan p = PlanOf("rir-stats", ctx);
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].url,
            "https://ftp.ripe.net/pub/stats/ripencc/delegated-ripencc-extended-latest");
  EXPECT_EQ(p.files[0].dest, "registry/delegated-ripencc-extended-latest");
  EXPECT_GT(p.files[0].max_age_seconds, 0);
  EXPECT_EQ(p.problems.size(), 1u);
}

// IANA: https://www.iana.org/assignments/<registry>/<registry>.csv.
TEST(Sources, IanaRegistriesTheLoaderReads) {
  const SourcePlan p = PlanOf("iana", Ctx("iana", "2024-05-23"));
  EXPECT_EQ(Urls(p),
            (std::vector<std::string>{
                "https://www.iana.org/assignments/ipv4-address-space/ipv4-address-space.csv",
                "https://www.iana.org/assignments/ipv6-unicast-address-assignments/"
                "ipv6-unicast-address-assignments.csv",
            }));
  EXPECT_EQ(Dests(p), (std::vector<std::string>{"registry/ipv4-address-space.csv",
                                                "registry/ipv6-unicast-address-assignments.csv"}));
}

// CAIDA: https://www.caida.org/catalog/datasets/as-relationships/ and
// .../as-organizations/ (files YYYYMMDD.as-rel.txt.bz2, .as-rel2.txt.bz2,
// .as-org2info.txt.gz in publicdata.caida.org/datasets/...).
TEST(Sources, CaidaTakesTheNearestFileOnOrBeforeTheDate) {
  auto apache = [](std::vector<std::string> names) {
    std::string page =
        "<html><body><table>\n<tr><td><a href=\"?C=N;O=D\">Name</a></td></tr>\n"
        "<tr><td><a href=\"/datasets/\">Parent Directory</a></td></tr>\n";
    for (const auto& n : names) {
      page += "<tr><td><a href=\"" + n + "\">" + n +
              "</a></td><td align=\"right\">2024-05-02 10:00  </td><td "
              "align=\"right\">3.4M</td></tr>\n";
    }
    return page + "</table></body></html>\n";
  };
  const std::string base = "https://publicdata.caida.org/datasets/";
  PlanContext ctx = Ctx("caida", "2024-05-23");
  ctx.fetch_text = Canned({
      {base + "as-relationships/serial-1/",
       apache({"20240401.as-rel.txt.bz2", "20240501.as-rel.txt.bz2", "20240601.as-rel.txt.bz2",
               "20240501.ppdc-ases.txt.bz2", "README.txt"})},
      {base + "as-relationships/serial-2/",
       apache({"20240301.as-rel2.txt.bz2", "20240523.as-rel2.txt.bz2", "2024.as-rel2.txt.bz2"})},
      {base + "as-organizations/",
       apache({"20240101.as-org2info.txt.gz", "20240401.as-org2info.jsonl.gz",
               "20240401.as-org2info.txt.gz", "20240701.as-org2info.txt.gz"})},
  });
  const SourcePlan p = PlanOf("caida", ctx);
  EXPECT_EQ(Urls(p), (std::vector<std::string>{
                         base + "as-relationships/serial-1/20240501.as-rel.txt.bz2",
                         base + "as-relationships/serial-2/20240523.as-rel2.txt.bz2",
                         base + "as-organizations/20240401.as-org2info.txt.gz",
                     }));
  EXPECT_EQ(Dests(p), (std::vector<std::string>{"topology/20240501.as-rel.txt.bz2",
                                                "topology/20240523.as-rel2.txt.bz2",
                                                "topology/20240401.as-org2info.txt.gz"}));
  EXPECT_TRUE(snapshot::IsAsRelFile("20240523.as-rel2.txt.bz2"));
  EXPECT_TRUE(snapshot::IsAs2OrgFile("20240401.as-org2info.txt.gz"));
  EXPECT_EQ(p.files[0].source_date, "2024-05-01");
  EXPECT_FALSE(p.files[0].size.has_value());  // Apache's "3.4M" is not exact
  EXPECT_TRUE(p.problems.empty());
}

TEST(Sources, CaidaWithNothingBeforeTheDateIsUnavailable) {
  PlanContext ctx = Ctx("caida", "1999-01-01");
  ctx.only = {"serial-2"};
  ctx.fetch_text = Canned({{"https://publicdata.caida.org/datasets/as-relationships/serial-2/",
                            "<pre><a href=\"20151201.as-rel2.txt.bz2\">x</a></pre>"}});
  const SourcePlan p = PlanOf("caida", ctx);
  EXPECT_TRUE(p.files.empty());
  EXPECT_NE(p.unavailable.find("on or before 1999-01-01"), std::string::npos) << p.unavailable;
  // A listing that cannot be fetched is named too.
  ctx.only = {"as2org"};
  const SourcePlan q = PlanOf("caida", ctx);
  EXPECT_NE(q.unavailable.find("HTTP 404"), std::string::npos) << q.unavailable;
}

// PeeringDB: CAIDA's archive (https://www.caida.org/catalog/datasets/peeringdb/,
// publicdata.caida.org/datasets/peeringdb/YYYY/MM/peeringdb_2_dump_YYYY_MM_DD.json);
// today the API (https://www.peeringdb.com/apidocs/).
TEST(Sources, PeeringDbPastDumpAndTodayApi) {
  const SourcePlan past = PlanOf("peeringdb", Ctx("peeringdb", "2024-05-23"));
  EXPECT_EQ(Urls(past),
            (std::vector<std::string>{"https://publicdata.caida.org/datasets/peeringdb/2024/05/"
                                      "peeringdb_2_dump_2024_05_23.json"}));
  EXPECT_EQ(past.files[0].dest, "peeringdb/peeringdb_2_dump_2024_05_23.json");
  PlanContext ctx = Ctx("peeringdb", "2026-12-06");
  ctx.today = true;
  const SourcePlan today = PlanOf("peeringdb", ctx);
  EXPECT_EQ(Urls(today)[0], "https://www.peeringdb.com/api/net");
  EXPECT_EQ(Dests(today)[0], "peeringdb/net.json");
  EXPECT_EQ(today.files.size(), 6u);
  for (const auto& f : today.files) EXPECT_GT(f.max_age_seconds, 0);
}

TEST(Sources, ManrsAndSpooferHaveNoPublicExportUnlessGivenAFile) {
  for (const char* name : {"manrs", "spoofer"}) {
    const SourcePlan p = PlanOf(name, Ctx(name, "2024-05-23"));
    EXPECT_TRUE(p.files.empty()) << name;
    EXPECT_EQ(p.unavailable.rfind("no public export: ", 0), 0u) << p.unavailable;
  }
  PlanContext ctx = Ctx("manrs", "2024-05-23");
  ctx.local_files = {"/tmp/participants.csv", "/tmp/MANRS-2024.csv"};
  const SourcePlan local = PlanOf("manrs", ctx);
  EXPECT_EQ(local.unavailable, "");
  ASSERT_EQ(local.local.size(), 2u);
  EXPECT_EQ(local.local[0].second, "extra/manrs-participants.csv");
  EXPECT_EQ(local.local[1].second, "extra/MANRS-2024.csv");
  EXPECT_TRUE(snapshot::IsManrsFile("manrs-participants.csv"));
  PlanContext mirror = Ctx("spoofer", "2024-05-23");
  mirror.base = "http://127.0.0.1:9/spoofer";
  const SourcePlan m = PlanOf("spoofer", mirror);
  EXPECT_EQ(Urls(m), (std::vector<std::string>{"http://127.0.0.1:9/spoofer/spoofer-sessions.csv"}));
  EXPECT_EQ(m.files[0].dest, "extra/spoofer-sessions.csv");
  EXPECT_TRUE(snapshot::IsSpooferFile("spoofer-sessions.csv"));
}

TEST(Sources, EveryDestIsInItsSourcesPart) {
  for (const SourceInfo& s : Sources()) {
    PlanContext ctx = Ctx(s.name, "2024-05-23", 0, 10);
    ctx.base = "http://127.0.0.1:9/" + s.name;
    ctx.fetch_text = Canned({});
    auto r = s.plan(ctx);
    ASSERT_TRUE(r.ok()) << s.name;
    for (const auto& f : r->files) {
      snapshot::Part part;
      ASSERT_TRUE(snapshot::PartOfPath(f.dest, &part)) << f.dest;
      EXPECT_EQ(part, s.part) << f.dest;
      EXPECT_EQ(f.url.rfind(ctx.base + "/", 0), 0u) << f.url;  // --mirror replaces the base
    }
  }
}

}  // namespace
}  // namespace vigia::acquire
