// What `vigia serve` adds to an IXP's report (issue [4/7] item 6,
// src/serve/routes_ixp.cc): each member's fix list, the latest stored
// route-server check ("rs_check") and the MANRS-for-IXPs checklist
// ("manrs_ixp"), read back against the members' own AS reports; and the
// web page's dictionaries name every reject reason of src/ixp/reason.h.
// The store is built from a simulated snapshot (`vigia simulate`,
// `vigia analyze`), the server started on loopback.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/test_util.h"
#include "ixp/reason.h"
#include "store/store.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

// A simulated store and its server, one per test program run.
struct IxpServed {
  fs::path dir, db;
  pid_t pid = -1;
  int port = 0;
  ~IxpServed() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

IxpServed& Served() {
  static IxpServed s = [] {
    IxpServed x;
    x.dir = test_util::FreshTempDir("vigia_serve_ixp_");
    x.db = x.dir / "vigia.db";
    int status = 0;
    RunCommand(Vigia() + " simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out " +
                   (x.dir / "snap").string() + " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    RunCommand(Vigia() + " analyze --db sqlite:" + x.db.string() + " " + (x.dir / "snap").string() +
                   " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    x.pid = test_util::StartVigia(
        "serve --listen 127.0.0.1:0 --no-access-log --db sqlite:" + x.db.string(),
        x.dir / "serve.out", &x.port);
    EXPECT_NE(x.port, 0) << "the server did not start";
    return x;
  }();
  return s;
}

json Get(const std::string& path) {
  httplib::Client c("127.0.0.1", Served().port);
  c.set_read_timeout(20, 0);
  auto r = c.Get(path.c_str());
  EXPECT_TRUE(r) << path;
  if (!r) return json();
  EXPECT_EQ(r->status, 200) << path << " " << r->body;
  return json::parse(r->body, nullptr, false);
}

// The IXP with the most members.
std::string LargestIxp() {
  const json e = Get("/api/ranking?kind=ixp&limit=1000")["entities"];
  EXPECT_FALSE(e.empty());
  std::string best;
  int64_t size = -1;
  for (const auto& x : e) {
    if (x["size"].get<int64_t>() > size) {
      size = x["size"].get<int64_t>();
      best = x["id"].get<std::string>();
    }
  }
  return best;
}

const json* ActionOf(const json& checklist, int n) {
  for (const auto& a : checklist["actions"])
    if (a["action"] == n) return &a;
  return nullptr;
}

TEST(ServeIxp, ChecklistHasTheFiveProgrammeActionsAndNoPassWithoutData) {
  const std::string id = LargestIxp();
  const json r = Get("/api/ixp/" + id + "?members=1000");
  ASSERT_TRUE(r.contains("manrs_ixp")) << r.dump().substr(0, 500);
  const json& m = r["manrs_ixp"];
  EXPECT_EQ(m["programme"], "https://manrs.org/ixps/");
  ASSERT_EQ(m["actions"].size(), 5u);
  const std::vector<std::string> keys = {"filtering", "promotion", "platform", "coordination",
                                         "tools"};
  for (int n = 1; n <= 5; ++n) {
    const json* a = ActionOf(m, n);
    ASSERT_NE(a, nullptr) << n;
    EXPECT_EQ((*a)["key"], keys[n - 1]);
    // Actions 1 and 2 are the programme's mandatory ones.
    EXPECT_EQ((*a)["mandatory"], n <= 2) << n;
    EXPECT_TRUE((*a)["evidence"].is_object()) << n;
    // "met" needs evidence with coverage.
    if ((*a)["status"] == "met") {
      EXPECT_TRUE((*a)["coverage"].is_object()) << n;
    }
  }
  // No check stored: no route-server report, Action 1 not measured.
  EXPECT_TRUE(r["rs_check"].is_null());
  EXPECT_EQ((*ActionOf(m, 1))["status"], "not_measured");
  EXPECT_EQ((*ActionOf(m, 1))["evidence"]["reason"], "no_rs_check");
  // The fabric's policy and the IXP's tools are not in public routing data.
  for (int n : {3, 5}) {
    EXPECT_EQ((*ActionOf(m, n))["status"], "not_measured") << n;
    EXPECT_TRUE((*ActionOf(m, n))["coverage"].is_null()) << n;
  }
}

// Action 2's and 4's figures are the members' own: MANRS participation,
// MANRS-ready overall band, and PeeringDB contacts (metric M6), each
// counted here from /api/as/{asn}.
TEST(ServeIxp, ChecklistFiguresEqualTheMembersReports) {
  const std::string id = LargestIxp();
  const json r = Get("/api/ixp/" + id + "?members=1000");
  const json& listed = r["members"]["listed"];
  const size_t count = r["members"]["count"].get<size_t>();
  ASSERT_EQ(listed.size(), count) << "the test needs every member listed";
  ASSERT_GT(count, 1u);
  size_t manrs = 0, ready = 0, contact = 0, contact_data = 0;
  for (const auto& m : listed) {
    const json as = Get(fmt::format("/api/as/{}", m["asn"].get<uint64_t>()));
    manrs += as["manrs"].get<bool>() ? 1 : 0;
    ready += as["scores"]["overall"]["band"] == "ready" ? 1 : 0;
    const json& m6 = as["metrics"]["M6"]["value"];
    if (m6.is_number()) {
      ++contact_data;
      contact += m6.get<double>() >= 100 ? 1 : 0;
    }
  }
  const json& a2 = *ActionOf(r["manrs_ixp"], 2);
  EXPECT_EQ(a2["status"], "indicator");
  EXPECT_EQ(a2["evidence"]["members"], count);
  EXPECT_EQ(a2["evidence"]["manrs_participants"], manrs);
  EXPECT_EQ(a2["evidence"]["ready"], ready);
  EXPECT_EQ(a2["coverage"]["of"], count);
  const json& a4 = *ActionOf(r["manrs_ixp"], 4);
  EXPECT_EQ(a4["evidence"]["members_with_contact"], contact);
  EXPECT_EQ(a4["evidence"]["members_with_data"], contact_data);
  EXPECT_EQ(a4["status"], contact_data ? "indicator" : "not_measured");
  EXPECT_EQ(r["manrs_ixp"]["members_read"], count);
}

// What each member must fix is its AS report's fix list (at most ten
// entries, without the items).
TEST(ServeIxp, MembersCarryTheirFixLists) {
  const std::string id = LargestIxp();
  const json r = Get("/api/ixp/" + id + "?members=1000");
  size_t with_fixes = 0;
  for (const auto& m : r["members"]["listed"]) {
    ASSERT_TRUE(m.contains("fixes")) << m.dump();
    const json as = Get(fmt::format("/api/as/{}", m["asn"].get<uint64_t>()));
    const json& want = as["fixes"];
    ASSERT_EQ(m["fixes"].size(), std::min<size_t>(want.size(), 10)) << m["asn"];
    for (size_t i = 0; i < m["fixes"].size(); ++i) {
      EXPECT_EQ(m["fixes"][i]["metric"], want[i]["metric"]);
      EXPECT_EQ(m["fixes"][i]["what"], want[i]["what"]);
      EXPECT_EQ(m["fixes"][i]["key"], want[i]["key"]);
      EXPECT_EQ(m["fixes"][i]["count"], want[i]["count"]);
      EXPECT_FALSE(m["fixes"][i].contains("items"));
    }
    with_fixes += m["fixes"].empty() ? 0 : 1;
  }
  EXPECT_GT(with_fixes, 0u) << "no member of IXP " << id << " has anything to fix";
}

// Stores a route-server check for IXP `ixp` as `vigia ixp check --db` does
// (store::Store::PutRsCheck; the server reads it at the next request).
void PutReport(const std::string& ixp, const std::string& report) {
  auto st = store::Store::Open("sqlite:" + Served().db.string());
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto put = (*st)->PutRsCheck({0, ixp, "", "rs.mrt", "2020-10-08", report});
  ASSERT_TRUE(put.ok()) << put.status().message();
}

// A report in the shape `vigia ixp check --json` writes (docs/ixp.md).
json Report(int64_t routes, int64_t bad, const json& not_checked) {
  json per_member = json::array();
  if (bad > 0) {
    per_member.push_back({{"asn", 9009},
                          {"name", "M247"},
                          {"routes", routes},
                          {"bad", bad},
                          {"by_reason", {{"rpki_invalid", bad}}},
                          {"bad_routes",
                           {{{"prefix", "185.186.79.0/24"},
                             {"as_path", "9009 136258"},
                             {"next_hop", "193.239.118.115"},
                             {"peer", "193.239.116.255"},
                             {"reasons", {"rpki_invalid"}},
                             {"detail", "ROA 185.186.79.0/24 AS64497"}}}},
                          {"bad_routes_truncated", false}});
  }
  return {{"rib",
           {{"file", "185.186.nlix.mrt.gz"},
            {"format", "TABLE_DUMP_V2"},
            {"date", "2020-10-08"},
            {"routes", routes},
            {"peers", 1}}},
          {"members",
           {{"file", "nlix.yml"}, {"format", "arouteserver"}, {"date", nullptr}, {"count", 12}}},
          {"inputs",
           {{"vrps", {{"file", "roas.json"}, {"count", 3}, {"date", "2020-10-08"}}},
            {"irr", json::array()},
            {"bogons", "built-in"}}},
          {"summary",
           {{"routes", routes},
            {"accepted_bad", bad},
            {"members", 12},
            {"members_with_bad", bad > 0 ? 1 : 0},
            {"by_reason", {{"rpki_invalid", bad}, {"bogon", 0}}},
            {"not_checked", not_checked}}},
          {"per_member", per_member},
          {"unknown_peers", json::array()}};
}

// The newest stored check is served as stored, with the time the store
// took it, and Action 1 follows it: bad routes accepted, not met; clean
// but a rule unchecked, partly; clean with every rule, met; an empty RIB
// or an unreadable report, not measured.
TEST(ServeIxp, StoredRouteServerCheckDrivesActionOne) {
  // Not the largest IXP, whose page the other tests read without a check.
  const json all = Get("/api/ranking?kind=ixp&limit=1000")["entities"];
  ASSERT_GE(all.size(), 2u);
  const std::string largest = LargestIxp();
  const std::string id = all[0]["id"] == largest ? all[1]["id"] : all[0]["id"];
  struct Case {
    json report;
    std::string status;
  };
  const std::vector<Case> cases = {
      {Report(23, 1, json::array({"irr"})), "not_met"},
      {Report(23, 0, json::array({"irr"})), "partial"},
      {Report(23, 0, json::array()), "met"},
      {Report(0, 0, json::array()), "not_measured"},
  };
  for (const Case& c : cases) {
    PutReport(id, c.report.dump());
    const json r = Get("/api/ixp/" + id);
    ASSERT_TRUE(r["rs_check"].is_object()) << c.status;
    json served = r["rs_check"];
    ASSERT_TRUE(served.contains("checked_at"));
    EXPECT_EQ(served["checked_at"].get<std::string>().size(), 20u) << served["checked_at"];
    served.erase("checked_at");
    EXPECT_EQ(served, c.report) << c.status;
    const json& a1 = *ActionOf(r["manrs_ixp"], 1);
    EXPECT_EQ(a1["status"], c.status) << c.report["summary"].dump();
    EXPECT_EQ(a1["evidence"]["accepted_bad"], c.report["summary"]["accepted_bad"]);
    EXPECT_EQ(a1["evidence"]["not_checked"], c.report["summary"]["not_checked"]);
    EXPECT_EQ(a1["evidence"]["rib_date"], "2020-10-08");
    EXPECT_EQ(a1["coverage"]["of"], c.report["summary"]["routes"]);
  }
  // Another IXP has no check of its own.
  EXPECT_TRUE(Get("/api/ixp/" + largest)["rs_check"].is_null());
  // A stored row without the report's shape: no report, not measured, no 5xx.
  for (const char* bad : {"[]", "{\"summary\": \"x\"}", "{\"rib\": 1, \"summary\": {}}"}) {
    PutReport(id, bad);
    const json r = Get("/api/ixp/" + id);
    const json& a1 = *ActionOf(r["manrs_ixp"], 1);
    if (std::string(bad).find("\"rib\": 1") != std::string::npos) {
      // A summary with no routes: the report is served, Action 1 not measured.
      EXPECT_TRUE(r["rs_check"].is_object()) << bad;
      EXPECT_EQ(a1["status"], "not_measured") << bad;
      EXPECT_TRUE(a1["evidence"]["rib_date"].is_null()) << bad;
    } else {
      EXPECT_TRUE(r["rs_check"].is_null()) << bad;
      EXPECT_EQ(a1["status"], "not_measured") << bad;
      EXPECT_EQ(a1["evidence"]["reason"], "rs_check_unreadable") << bad;
    }
  }
}

TEST(ServeIxp, OtherReportsAreUnchanged) {
  const json as = Get("/api/ranking?kind=as&limit=1")["entities"];
  ASSERT_FALSE(as.empty());
  for (const std::string& path :
       {"/api/as/" + as[0]["id"].get<std::string>(), std::string("/api/region/lacnic"),
        std::string("/api/group/all")}) {
    const json r = Get(path);
    EXPECT_FALSE(r.contains("rs_check")) << path;
    EXPECT_FALSE(r.contains("manrs_ixp")) << path;
  }
}

// Every reject reason a route-server check can report has its words in the
// web page's three languages, and no dictionary names a reason that does
// not exist.
TEST(ServeIxp, PageNamesEveryRejectReason) {
  std::set<std::string> codes;
  for (const ixp::ReasonInfo& r : ixp::RejectReasons()) codes.insert(std::string(r.key));
  for (const char* lang : {"en", "es", "pt"}) {
    std::ifstream in(fs::path(VIGIA_SOURCE_DIR) / "web" / "src" / "locales" /
                     (std::string(lang) + ".json"));
    ASSERT_TRUE(in) << lang;
    const json d = json::parse(in, nullptr, false);
    ASSERT_TRUE(d.is_object()) << lang;
    std::set<std::string> named;
    for (const auto& [k, v] : d.items()) {
      if (k.rfind("ixp.reason.", 0) == 0) named.insert(k.substr(11));
    }
    EXPECT_EQ(named, codes) << lang;
  }
}

}  // namespace
}  // namespace vigia
