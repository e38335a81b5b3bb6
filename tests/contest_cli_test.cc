// `vigia token` and `vigia contest` end to end (issue [3/7] item 2,
// docs/contests.md): tokens printed once and stored hashed, revoked but
// never deleted; contests listed with their state and reviewed once from
// the command line, an acceptance re-analysing the snapshot's directory
// into a new snapshot of the same date that scores the culprit without the
// incident, the old snapshot and the audit trail untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "contest_fixture.h"
#include "core/test_util.h"
#include "store/store.h"
#include "store/tokens.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

struct Ran {
  int exit = 0;
  std::string out;  // stdout, then stderr
};

Ran RunVigia(const std::string& args, bool with_stderr = true) {
  int status = 0;
  Ran r;
  r.out = RunCommand(Vigia() + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"), &status);
  r.exit = Exit(status);
  return r;
}

fs::path TempDir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("vigia_contest_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A token is printed once (64 hex digits on stdout, nothing else there);
// the store holds its SHA-256 and never the token; list shows no secret;
// revoke is for good. Every change is in the audit log as "cli".
TEST(TokenCli, CreatePrintsOnceStoresTheHashAndRevokes) {
  const fs::path dir = TempDir("tokens");
  const std::string db = "--db sqlite:" + (dir / "v.db").string();
  Ran made = RunVigia(
      "token create " + db + " --name noc-64500 --role operator --asn 64500 --asn AS64501", false);
  ASSERT_EQ(made.exit, 0) << made.out;
  std::string token = made.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  ASSERT_EQ(token.size(), 64u) << made.out;
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  Ran second = RunVigia("token create " + db + " --name reviewer --role reviewer", false);
  ASSERT_EQ(second.exit, 0);
  EXPECT_NE(second.out.substr(0, 64), token);  // random, not derived from the name

  {
    auto st = store::Store::Open("sqlite:" + (dir / "v.db").string());
    ASSERT_TRUE(st.ok());
    auto tokens = (*st)->Tokens();
    ASSERT_TRUE(tokens.ok());
    ASSERT_EQ(tokens->size(), 2u);
    EXPECT_EQ((*tokens)[0].hash, store::TokenHash(token));
    EXPECT_EQ((*tokens)[0].asns, (std::vector<Asn>{64500, 64501}));
    auto found = store::FindToken(**st, token);
    ASSERT_TRUE(found.ok() && *found);
    EXPECT_EQ((**found).name, "noc-64500");
    EXPECT_FALSE(*store::FindToken(**st, (*tokens)[0].hash));  // the hash is no token
  }
  // The token's text appears nowhere in the store's files.
  for (const auto& f : fs::directory_iterator(dir)) {
    EXPECT_EQ(ReadFile(f.path()).find(token), std::string::npos) << f.path();
  }
  const Ran listed = RunVigia("token list " + db);
  ASSERT_EQ(listed.exit, 0);
  EXPECT_NE(listed.out.find("noc-64500"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("AS64500 AS64501"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(token), std::string::npos);
  EXPECT_EQ(listed.out.find(store::TokenHash(token)), std::string::npos);

  // Refused: an operator without ASNs, a reviewer with some, a taken name,
  // a bad ASN, an unknown role.
  for (const char* bad : {"--name a --role operator", "--name b --role reviewer --asn 64500",
                          "--name noc-64500 --role operator --asn 1",
                          "--name c --role operator --asn x", "--name d --role admin --asn 1"}) {
    const Ran r = RunVigia("token create " + db + " " + bad);
    EXPECT_EQ(r.exit, 2) << bad << ": " << r.out;
  }
  ASSERT_EQ(RunVigia("token revoke 1 " + db).exit, 0);
  const Ran twice = RunVigia("token revoke 1 " + db);
  EXPECT_EQ(twice.exit, 2);
  EXPECT_NE(twice.out.find("was revoked"), std::string::npos) << twice.out;
  EXPECT_EQ(RunVigia("token revoke 99 " + db).exit, 2);
  const Ran after = RunVigia("token list " + db);
  EXPECT_NE(after.out.find("noc-64500"), std::string::npos);  // kept, marked revoked
  {
    auto st = store::Store::Open("sqlite:" + (dir / "v.db").string());
    ASSERT_TRUE(st.ok());
    auto found = store::FindToken(**st, token);
    ASSERT_TRUE(found.ok() && *found);
    EXPECT_FALSE((**found).revoked.empty());
    auto log = (*st)->Audit(100, 0);
    ASSERT_TRUE(log.ok());
    std::vector<std::string> rows;
    for (const auto& a : *log)
      rows.push_back(a.who + " " + a.action + " " + a.outcome.substr(0, 6));
    EXPECT_EQ(rows, (std::vector<std::string>{"cli token.revoke failed", "cli token.revoke failed",
                                              "cli token.revoke ok", "cli token.create failed",
                                              "cli token.create ok", "cli token.create ok"}));
  }
  fs::remove_all(dir);
}

// From the command line: a contest is listed as submitted, accepted once
// (a second review fails), and the acceptance re-analyses the snapshot:
// the culprit's Action 1 rises in a new snapshot of the same date; the old
// snapshot, the incident and the audit trail stay.
TEST(ContestCli, AcceptReanalysesWithoutTheIncident) {
  const fs::path dir = TempDir("accept");
  const std::string url = "sqlite:" + (dir / "v.db").string();
  const std::string db = "--db " + url;
  ASSERT_EQ(RunVigia("simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out " +
                     (dir / "snap").string())
                .exit,
            0);
  ASSERT_EQ(RunVigia("analyze " + db + " " + (dir / "snap").string()).exit, 0);
  // An incident whose culprit is in no other, with Action 1 below 100;
  // contested through the store (the API's path, tested in serve_test).
  auto st = store::Store::Open(url);
  ASSERT_TRUE(st.ok());
  auto old = (*st)->SnapshotFor("");
  ASSERT_TRUE(old.ok());
  const auto found = test::FindSoleIncident(**st, old->id);
  ASSERT_TRUE(found) << "no culprit with one incident and Action 1 below 100";
  const std::optional<store::IncidentRow> pick = found->incident;
  const double before = found->action1;
  store::ContestRow c;
  c.snapshot = old->id;
  c.incident = pick->id;
  c.author = "noc";
  c.reason = "a customer's route";
  auto contest = (*st)->AddContest(c);
  ASSERT_TRUE(contest.ok());
  st->reset();
  const std::string id = std::to_string(contest->id);

  const Ran listed = RunVigia("contest list " + db);
  ASSERT_EQ(listed.exit, 0);
  EXPECT_NE(listed.out.find("submitted"), std::string::npos) << listed.out;
  EXPECT_EQ(RunVigia("contest review " + id + " --reason x " + db).exit, 2);  // no decision
  EXPECT_EQ(RunVigia("contest review " + id + " --accept --reject --reason x " + db).exit, 2);
  EXPECT_EQ(RunVigia("contest review 999 --accept --reason x " + db).exit, 2);
  const Ran accepted = RunVigia("contest review " + id + " --accept --reason 'LOA checked' " + db);
  ASSERT_EQ(accepted.exit, 0) << accepted.out;
  EXPECT_NE(accepted.out.find("1 incident(s) excluded"), std::string::npos) << accepted.out;
  const Ran again = RunVigia("contest review " + id + " --reject --reason 'changed my mind' " + db);
  EXPECT_EQ(again.exit, 2);
  EXPECT_NE(again.out.find("already reviewed"), std::string::npos) << again.out;

  const Ran as_json = RunVigia("contest list --state accepted --json " + db, false);
  ASSERT_EQ(as_json.exit, 0);
  const json j = json::parse(as_json.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["state"], "accepted");
  EXPECT_EQ(j[0]["review"]["reviewer"], "cli");
  EXPECT_EQ(j[0]["review"]["reason"], "LOA checked");
  EXPECT_EQ(j[0]["reason"], "a customer's route");

  st = store::Store::Open(url);
  ASSERT_TRUE(st.ok());
  auto newest = (*st)->SnapshotFor(old->date);
  ASSERT_TRUE(newest.ok());
  EXPECT_NE(newest->id, old->id);
  EXPECT_EQ(newest->dir, old->dir);
  const std::string asn = std::to_string(pick->culprit);
  auto score_of = [&](int64_t snap) {
    std::optional<double> v;
    auto scores = (*st)->Scores(snap, "as", asn);
    if (!scores.ok()) return v;
    for (const auto& sc : *scores) {
      if (sc.action == "action1") v = sc.score;
    }
    return v;
  };
  ASSERT_TRUE(score_of(newest->id));
  EXPECT_GT(*score_of(newest->id), before);
  EXPECT_EQ(score_of(old->id), before);
  // The incident: in the old snapshot as it was, in the new one marked.
  store::IncidentQuery q;
  q.snapshot = old->id;
  q.id = pick->id;
  auto kept = (*st)->Incidents(q);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].evidence, pick->evidence);
  store::IncidentQuery nq;
  nq.snapshot = newest->id;
  nq.asn = pick->culprit;
  auto now = (*st)->Incidents(nq);
  ASSERT_TRUE(now.ok());
  bool marked = false;
  for (const auto& i : *now) {
    const json ev = json::parse(i.evidence);
    if (i.type == pick->type && ev.value("excluded_by_contest", int64_t{0}) == contest->id)
      marked = true;
  }
  EXPECT_TRUE(marked);
  auto log = (*st)->Audit(10, 0);
  ASSERT_TRUE(log.ok());
  ASSERT_GE(log->size(), 3u);
  EXPECT_EQ((*log)[0].action, "review");  // the refused second review
  EXPECT_EQ((*log)[0].outcome.rfind("failed: already reviewed", 0), 0u);
  EXPECT_EQ((*log)[1].action, "recompute");
  EXPECT_EQ((*log)[1].outcome.rfind("ok: snapshot", 0), 0u) << (*log)[1].outcome;
  EXPECT_EQ((*log)[2].outcome, "ok: accepted");
  fs::remove_all(dir);
}

// A rejection changes no score and starts no re-analysis.
TEST(ContestCli, RejectLeavesTheSnapshots) {
  const fs::path dir = TempDir("reject");
  const std::string url = "sqlite:" + (dir / "v.db").string();
  ASSERT_EQ(RunVigia("simulate --seed 3 --ases 300 --prefixes 3000 --peers 6 --out " +
                     (dir / "snap").string())
                .exit,
            0);
  ASSERT_EQ(RunVigia("analyze --db " + url + " " + (dir / "snap").string()).exit, 0);
  int64_t id = 0;
  {
    auto st = store::Store::Open(url);
    ASSERT_TRUE(st.ok());
    store::IncidentQuery q;
    q.snapshot = (*st)->SnapshotFor("")->id;
    q.limit = 1;
    auto one = (*st)->Incidents(q);
    ASSERT_TRUE(one.ok() && !one->empty());
    auto c = (*st)->AddContest({0, q.snapshot, (*one)[0].id, "noc", "mine"});
    ASSERT_TRUE(c.ok());
    id = c->id;
  }
  const Ran r =
      RunVigia("contest review " + std::to_string(id) + " --reject --reason 'no LOA' --db " + url);
  ASSERT_EQ(r.exit, 0) << r.out;
  auto st = store::Store::Open(url);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ((*st)->Snapshots()->size(), 1u);
  store::ContestQuery q;
  q.state = "rejected";
  EXPECT_EQ((*st)->ListContests(q)->size(), 1u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia
