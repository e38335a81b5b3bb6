// The store conformance suite: what store.h promises, run against every
// backend. Each test opens a fresh, empty store from a URL template, with
// "{dir}" a new temporary directory and "{name}" a name unique to the test:
//
//   sqlite:{dir}/{name}.db    always, and the same as a plain path
//   VIGIA_STORE_TEST_URLS     more templates, ';'-separated, for backends
//                             that need a server (e.g.
//                             "clickhouse://localhost:9000/vigia_{name}")
//
// A new backend passes when this suite passes over its URL. Behaviour of
// one backend alone (SQLite's migrations, WAL, a kill mid-write) is tested
// beside it (sqlite_store_test.cc).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "store/backends.h"
#include "store/store.h"
#include "store/test_rows.h"

namespace vigia::store {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> UrlTemplates() {
  std::vector<std::string> out = {"sqlite:{dir}/{name}.db", "{dir}/{name}.db"};
  if (const char* more = std::getenv("VIGIA_STORE_TEST_URLS")) {
    std::string s = more;
    size_t i = 0;
    while (i <= s.size()) {
      const size_t j = s.find(';', i);
      const std::string t = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (!t.empty()) out.push_back(t);
      if (j == std::string::npos) break;
      i = j + 1;
    }
  }
  return out;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = std::string(info->name()).substr(0, std::string(info->name()).find('/')) + "_" +
            std::to_string(getpid());
    dir_ = fs::temp_directory_path() / ("vigia_conformance_" + name_);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = Replace(Replace(GetParam(), "{dir}", dir_.string()), "{name}", name_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A new, empty store; every test starts from one.
  std::unique_ptr<Store> OpenFresh() {
    auto s = Store::Open(url_);
    EXPECT_TRUE(s.ok()) << url_ << ": " << s.status().message();
    if (!s.ok()) return nullptr;
    auto snaps = (*s)->Snapshots();
    EXPECT_TRUE(snaps.ok() && snaps->empty()) << url_ << ": not a fresh store";
    return std::move(s).value();
  }

  std::string name_, url_;
  fs::path dir_;
};

using test_rows::Contest;
using test_rows::Incident;
using test_rows::Info;

// Entities, rankings, daily and monthly history, and the origin history.
TEST_P(StoreConformance, EntitiesHistoryAndOrigins) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  const std::pair<const char*, double> days[] = {
      {"2026-10-30", 40}, {"2026-10-31", 60}, {"2026-11-01", 90}};
  for (const auto& [date, score] : days) {
    auto w = s->BeginSnapshot(Info(date));
    ASSERT_TRUE(w.ok());
    EntityRow e{"as", "64500", "Example Net", "BR", "lacnic", true, 12, R"({"fixes":[]})"};
    ASSERT_TRUE((*w)->AddEntity(e).ok());
    ASSERT_TRUE((*w)->AddEntity({"as", "64501", "Other", "MX", "lacnic", false, 3, "{}"}).ok());
    ScoreRow r{"as", "64500", "overall", score, score >= 80 ? "ready" : "lagging"};
    ASSERT_TRUE((*w)->AddScore(r).ok());
    ASSERT_TRUE((*w)->AddScore({"as", "64501", "overall", 70.0, "aspiring"}).ok());
    ScoreRow g{"region", "lacnic", "overall", 55.0, "aspiring", 2, 1, 1, 0, 0};
    ASSERT_TRUE((*w)->AddScore(g).ok());
    ASSERT_TRUE((*w)->AddOrigin("192.0.2.0/24", 64500).ok());
    if (std::string(date) == "2026-11-01") {
      ASSERT_TRUE((*w)->AddOrigin("198.51.100.0/24", 64501).ok());
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }
  auto snaps = s->Snapshots();
  ASSERT_TRUE(snaps.ok());
  const int64_t newest = (*snaps)[0].id;
  auto e = s->Entity(newest, "as", "64500");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->name, "Example Net");
  EXPECT_TRUE((*e)->manrs);
  EXPECT_EQ((*e)->size, 12);
  auto none = s->Entity(newest, "as", "1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto rank = s->Ranking(newest, "as", 10, 0);
  ASSERT_TRUE(rank.ok());
  ASSERT_EQ(rank->size(), 2u);
  EXPECT_EQ((*rank)[0].first.id, "64500");  // 90 before 70
  EXPECT_EQ(*(*rank)[1].second.score, 70);
  auto agg = s->Scores(newest, "region", "lacnic");
  ASSERT_TRUE(agg.ok() && agg->size() == 1);
  EXPECT_EQ((*agg)[0].members, 2);
  EXPECT_EQ((*agg)[0].ready, 1);
  EXPECT_EQ((*agg)[0].aspiring, 1);

  auto daily = s->History("as", "64500", false);
  ASSERT_TRUE(daily.ok());
  ASSERT_EQ(daily->size(), 3u);
  EXPECT_EQ((*daily)[0].date, "2026-10-30");
  EXPECT_EQ(*(*daily)[2].score, 90);
  auto monthly = s->History("as", "64500", true);
  ASSERT_TRUE(monthly.ok());
  ASSERT_EQ(monthly->size(), 2u);
  EXPECT_EQ((*monthly)[0].date, "2026-10");
  EXPECT_EQ(*(*monthly)[0].score, 50);  // (40 + 60) / 2
  EXPECT_EQ((*monthly)[0].snapshots, 2);
  EXPECT_EQ(*(*monthly)[1].score, 90);

  auto known = s->KnownOrigins("2026-11-01");
  ASSERT_TRUE(known.ok());
  ASSERT_EQ(known->size(), 1u);  // 198.51.100.0/24 is first seen on 2026-11-01 itself
  EXPECT_EQ((*known)[0].prefix, "192.0.2.0/24");
  EXPECT_EQ((*known)[0].first_date, "2026-10-30");
  EXPECT_EQ((*known)[0].last_date, "2026-11-01");
  auto all = s->KnownOrigins("9999");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_P(StoreConformance, WritesASnapshotAndReadsItBack) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, 64500)).ok());
  // Text is bound, never spliced into SQL.
  ASSERT_TRUE(
      (*w)->AddIncident(Incident(3, "bogon_asn'); DROP TABLE incidents; --", 64503, std::nullopt))
          .ok());
  ASSERT_TRUE((*w)->AddMetric({64500, "M2", 36.0, 2.0}).ok());
  ASSERT_TRUE((*w)->AddMetric({64500, "M5", std::nullopt, 0}).ok());
  ASSERT_TRUE((*w)->AddScore({"country", "BR", "action1", 81.5, "aspiring"}).ok());
  // A duplicate key is refused and named.
  Status dup = (*w)->AddIncident(Incident(1, "hijack", 1, std::nullopt));
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("incident"), std::string::npos) << dup.message();
  auto info = (*w)->Commit();
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_FALSE((*w)->Commit().ok());
  const int64_t id = info->id;

  auto list = s->Snapshots();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].date, "2026-11-22");
  EXPECT_EQ((*list)[0].source, "sha256:test");
  EXPECT_FALSE((*list)[0].created.empty());

  auto all = s->Incidents({id});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].prefixes, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ((*all)[0].evidence, R"({"paths":["64500 64501"]})");
  EXPECT_DOUBLE_EQ((*all)[0].confidence, 0.75);
  EXPECT_EQ((*all)[2].type, "bogon_asn'); DROP TABLE incidents; --");
  EXPECT_FALSE((*all)[2].propagator.has_value());
  // By type, by AS (as culprit or propagator), paged.
  EXPECT_EQ(s->Incidents({id, "route_leak"})->size(), 1u);
  auto by_as = s->Incidents({id, "", 64500});
  ASSERT_TRUE(by_as.ok());
  EXPECT_EQ(by_as->size(), 2u);
  auto page = s->Incidents({id, "", std::nullopt, 1, 1});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, 2);

  auto m = s->Metrics(id, 64500);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].metric, "M2");
  EXPECT_DOUBLE_EQ(*(*m)[0].value, 36.0);
  EXPECT_FALSE((*m)[1].value.has_value());  // no data
  auto sc = s->Scores(id, "country", "BR");
  ASSERT_EQ(sc->size(), 1u);
  EXPECT_EQ((*sc)[0].band, "aspiring");
}

TEST_P(StoreConformance, AnUncommittedSnapshotLeavesNothing) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  {
    auto w = s->BeginSnapshot(Info("2026-11-22"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  }
  EXPECT_TRUE(s->Snapshots()->empty());
  // Not even under the id the next snapshot may get.
  for (int64_t id = 1; id <= 2; ++id) EXPECT_TRUE(s->Incidents({id})->empty());
  // And the store goes on working.
  auto w = s->BeginSnapshot(Info("2026-11-23"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(s->Snapshots()->size(), 1u);
}

// A date range reads the incidents of every snapshot dated in it, in
// snapshot order, each with its snapshot's id and date.
TEST_P(StoreConformance, IncidentsOverADateRange) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  for (const char* date : {"2026-11-20", "2026-11-21", "2026-11-22"}) {
    auto w = s->BeginSnapshot(Info(date));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, std::nullopt)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  IncidentQuery q;
  q.from_date = "2026-11-21";
  q.to_date = "2026-11-22";
  auto r = s->Incidents(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].date, "2026-11-21");
  EXPECT_EQ((*r)[3].date, "2026-11-22");
  EXPECT_LT((*r)[0].snapshot, (*r)[3].snapshot);
  q.asn = 64501;  // as propagator, through the index
  r = s->Incidents(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].type, "hijack");
  q.asn.reset();
  q.to_date.clear();  // open end
  q.type = "route_leak";
  EXPECT_EQ(s->Incidents(q)->size(), 2u);
  q.from_date = "2026-11-23";
  EXPECT_TRUE(s->Incidents(q)->empty());
}

// Contests (the write API's audit log): stored with their time, read back
// per incident and per AS in any snapshot, append-only.
TEST_P(StoreConformance, ContestsAreAnAppendOnlyAuditLog) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, std::nullopt)).ok());
  ASSERT_TRUE((*w)->AddEntity({"as", "64500", "Example Net", "BR", "lacnic", false, 3, "{}"}).ok());
  ASSERT_TRUE((*w)->AddEntity({"country", "BR", "BR", "BR", "lacnic", false, 1, "{}"}).ok());
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok());

  ContestRow c = Contest(snap->id, 1);
  c.remote = "127.0.0.1";
  auto stored = s->AddContest(c);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_GT(stored->id, 0);
  EXPECT_EQ(stored->type, "hijack");
  EXPECT_EQ(stored->culprit, 64500u);
  EXPECT_EQ(stored->date, "2026-11-22");
  EXPECT_EQ(stored->time.size(), 20u);
  c.incident = 99;
  EXPECT_EQ(s->AddContest(c).status().code(), StatusCode::kNotFound);

  auto of_incident = s->Contests(snap->id, 1, std::nullopt, 10);
  ASSERT_TRUE(of_incident.ok());
  ASSERT_EQ(of_incident->size(), 1u);
  EXPECT_EQ((*of_incident)[0].author, "noc@example.net");
  for (Asn asn : {64500u, 64501u}) {  // culprit and propagator
    auto of_as = s->Contests(0, 0, asn, 10);
    ASSERT_TRUE(of_as.ok());
    EXPECT_EQ(of_as->size(), 1u) << asn;
  }
  EXPECT_TRUE(s->Contests(0, 0, Asn{64502}, 10)->empty());
  IncidentQuery q;
  q.snapshot = snap->id;
  q.id = 1;
  auto one = s->Incidents(q);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].contests, 1);

  // A second contest appends; the first stays as it was.
  c.incident = 1;
  c.reason = "second look";
  ASSERT_TRUE(s->AddContest(c).ok());
  auto both = s->Contests(snap->id, 1, std::nullopt, 10);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].reason, "second look");  // newest first
  EXPECT_EQ((*both)[1].reason, "customer route");

  // Search: an ASN with or without "AS", a name in any case, a country id.
  for (const char* text : {"64500", "AS64500", "as64500", "example", "EXAMPLE NET"}) {
    auto r = s->Search(snap->id, text, 10);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u) << text;
    EXPECT_EQ((*r)[0].id, "64500");
  }
  auto br = s->Search(snap->id, "br", 10);
  ASSERT_TRUE(br.ok());
  ASSERT_FALSE(br->empty());
  EXPECT_EQ((*br)[0].kind, "country");
  EXPECT_TRUE(s->Search(snap->id, "%", 10)->empty());
}

// The one lookup of a snapshot by date: the newest, the latest of a date,
// NotFound (not an empty success) when there is none.
TEST_P(StoreConformance, SnapshotForADate) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto none = s->SnapshotFor("");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), "the store holds no snapshot");
  int64_t first_of_21 = 0;
  for (const char* date : {"2026-11-21", "2026-11-22", "2026-11-21"}) {
    auto w = s->BeginSnapshot(Info(date));
    ASSERT_TRUE(w.ok());
    auto c = (*w)->Commit();
    ASSERT_TRUE(c.ok());
    if (first_of_21 == 0) first_of_21 = c->id;
  }
  auto newest = s->SnapshotFor("");
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->date, "2026-11-22");
  auto day = s->SnapshotFor("2026-11-21");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->date, "2026-11-21");
  EXPECT_GT(day->id, first_of_21);  // analysed twice: the later one
  auto missing = s->SnapshotFor("2026-11-23");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no snapshot for 2026-11-23");
}

// A snapshot analysed with an input missing is stored marked partial, with
// what was missing; a complete one is not.
TEST_P(StoreConformance, PartialSnapshotsSayWhatWasMissing) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  SnapshotInfo in = Info("2026-11-22");
  in.partial = true;
  in.missing = {"rpki/: absent", "irr/ripe.db.gz: sha256 differs from the manifest"};
  auto w = s->BeginSnapshot(in);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto w2 = s->BeginSnapshot(Info("2026-11-23"));
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE((*w2)->Commit().ok());
  auto p = s->SnapshotFor("2026-11-22");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->partial);
  EXPECT_EQ(p->missing, in.missing);
  auto full = s->SnapshotFor("2026-11-23");
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->partial);
  EXPECT_TRUE(full->missing.empty());
}

// A score is an interval with its coverage; every reader gives back what
// was written (Scores, Ranking, History).
TEST_P(StoreConformance, ScoresKeepTheirIntervalAndCoverage) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddEntity({"as", "64500", "Example", "BR", "lacnic", false, 1, "{}"}).ok());
  ScoreRow r{"as", "64500", "overall", 48.0, "incomplete"};
  r.score_max = 73.0;
  r.measured = 2;
  r.of = 4;
  ASSERT_TRUE((*w)->AddScore(r).ok());
  ScoreRow g{"country", "BR", "action2", 61.5, "low_coverage", 135, 5, 2, 1, 127};
  g.score_max = 61.5;
  g.measured = 8;
  g.of = 135;
  ASSERT_TRUE((*w)->AddScore(g).ok());
  ASSERT_TRUE((*w)->AddScore({"country", "BR", "action3", std::nullopt, "", 135}).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok());
  auto as = s->Scores(c->id, "as", "64500");
  ASSERT_TRUE(as.ok() && as->size() == 1);
  EXPECT_EQ(*(*as)[0].score, 48);
  EXPECT_EQ(*(*as)[0].score_max, 73);
  EXPECT_EQ((*as)[0].measured, 2);
  EXPECT_EQ((*as)[0].of, 4);
  EXPECT_EQ((*as)[0].band, "incomplete");
  auto br = s->Scores(c->id, "country", "BR");
  ASSERT_TRUE(br.ok() && br->size() == 2);
  EXPECT_EQ((*br)[0].band, "low_coverage");
  EXPECT_EQ((*br)[0].measured, 8);
  EXPECT_EQ((*br)[0].of, 135);
  EXPECT_FALSE((*br)[1].score);
  EXPECT_FALSE((*br)[1].score_max);
  auto rank = s->Ranking(c->id, "as", 10, 0);
  ASSERT_TRUE(rank.ok() && rank->size() == 1);
  EXPECT_EQ(*(*rank)[0].second.score_max, 73);
  EXPECT_EQ((*rank)[0].second.measured, 2);
  EXPECT_EQ((*rank)[0].second.of, 4);
  auto h = s->History("as", "64500", false);
  ASSERT_TRUE(h.ok() && h->size() == 1);
  EXPECT_EQ(*(*h)[0].score_max, 73);
  auto m = s->History("as", "64500", true);
  ASSERT_TRUE(m.ok() && m->size() == 1);
  EXPECT_EQ(*(*m)[0].score_max, 73);
}

// A snapshot keeps the provenance it was written with, as given.
TEST_P(StoreConformance, SnapshotsKeepTheirProvenance) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  SnapshotInfo in = Info("2026-11-22");
  in.provenance = R"({"simulated":true,"observed":"2026-11-22","inputs":[]})";
  auto w = s->BeginSnapshot(in);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto w2 = s->BeginSnapshot(Info("2026-11-23"));
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE((*w2)->Commit().ok());
  auto p = s->SnapshotFor("2026-11-22");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->provenance, in.provenance);
  auto none = s->SnapshotFor("2026-11-23");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->provenance, "");
}

// A query that matches nothing is an empty success, never an error.
TEST_P(StoreConformance, EmptyAnswersAreNotErrors) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok());
  const int64_t id = c->id;
  EXPECT_TRUE(s->Incidents({id})->empty());
  EXPECT_TRUE(s->IncidentCounts(id)->empty());
  EXPECT_TRUE(s->Metrics(id, 64500)->empty());
  EXPECT_TRUE(s->Scores(id, "as", "64500")->empty());
  EXPECT_FALSE(s->Entity(id, "as", "64500")->has_value());
  EXPECT_TRUE(s->Ranking(id, "as", 10, 0)->empty());
  EXPECT_TRUE(s->History("as", "64500", false)->empty());
  EXPECT_TRUE(s->KnownOrigins("9999-12-31")->empty());
  EXPECT_TRUE(s->Contests(id, 1, std::nullopt, 10)->empty());
  EXPECT_TRUE(s->Search(id, "anything", 10)->empty());
  EXPECT_EQ(s->AddContest({0, id, 1, "a", "b"}).status().code(), StatusCode::kNotFound);
}

// Contests with review (docs/contests.md): a review is a row of its own, at
// most one per contest; the contest is listed with its state, by state,
// ASN, date and id.
TEST_P(StoreConformance, ContestReviewIsOneRowAndSetsTheState) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, std::nullopt)).ok());
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok());
  // An incident's status follows its contests.
  auto status_of = [&](int64_t id) {
    IncidentQuery iq;
    iq.snapshot = snap->id;
    iq.id = id;
    auto rows = s->Incidents(iq);
    return rows.ok() && rows->size() == 1 ? (*rows)[0].status : std::string("?");
  };
  EXPECT_EQ(status_of(1), "none");
  auto first = s->AddContest(Contest(snap->id, 1));
  auto second = s->AddContest(Contest(snap->id, 2));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->state, "submitted");
  EXPECT_EQ(status_of(1), "contested");

  ContestQuery all;
  auto listed = s->ListContests(all);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, second->id);  // newest first
  EXPECT_EQ((*listed)[1].kind, "");
  EXPECT_EQ((*listed)[1].prefixes, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ((*listed)[1].state, "submitted");
  EXPECT_FALSE((*listed)[1].review);

  ReviewRow r{0, first->id, "accepted", "reviewer-1", "LOA checked", "", "127.0.0.1"};
  auto reviewed = s->AddReview(r);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status().message();
  EXPECT_GT(reviewed->id, 0);
  EXPECT_EQ(reviewed->time.size(), 20u);
  // A second review of the same contest, whatever its decision: refused.
  r.decision = "rejected";
  auto again = s->AddReview(r);
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(again.status().message().rfind("already reviewed", 0), 0u) << again.status().message();
  EXPECT_EQ(s->AddReview({0, 999, "accepted", "x", "y", "", ""}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(s->AddReview({0, second->id, "maybe", "x", "y", "", ""}).status().code(),
            StatusCode::kInvalidArgument);

  EXPECT_EQ(status_of(1), "accepted");
  EXPECT_EQ(status_of(2), "contested");
  ASSERT_TRUE(s->AddReview({0, second->id, "rejected", "r", "no", "", ""}).ok());
  EXPECT_EQ(status_of(2), "rejected");
  ASSERT_TRUE(s->AddContest(Contest(snap->id, 2)).ok());  // a new contest after the rejection
  EXPECT_EQ(status_of(2), "contested");

  ContestQuery q;
  q.id = first->id;
  auto one = s->ListContests(q);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].state, "accepted");
  ASSERT_TRUE((*one)[0].review);
  EXPECT_EQ((*one)[0].review->reviewer, "reviewer-1");
  EXPECT_EQ((*one)[0].review->reason, "LOA checked");
  EXPECT_EQ((*one)[0].reason, "customer route");  // the contest row is as it was
  // The same state through the older per-incident query.
  EXPECT_EQ((*s->Contests(snap->id, 1, std::nullopt, 10))[0].state, "accepted");

  ContestQuery by_state;
  by_state.state = "accepted";
  EXPECT_EQ(s->ListContests(by_state)->size(), 1u);
  by_state.state = "submitted";
  ASSERT_EQ(s->ListContests(by_state)->size(), 1u);
  EXPECT_GT((*s->ListContests(by_state))[0].id, second->id);
  by_state.state = "rejected";
  ASSERT_EQ(s->ListContests(by_state)->size(), 1u);
  EXPECT_EQ((*s->ListContests(by_state))[0].id, second->id);

  ContestQuery by_as;
  by_as.asns = {64501};  // the propagator of incident 1
  ASSERT_EQ(s->ListContests(by_as)->size(), 1u);
  by_as.asns = {64999, 64502};
  ASSERT_EQ(s->ListContests(by_as)->size(), 2u);
  EXPECT_EQ((*s->ListContests(by_as))[0].incident, 2);
  by_as.asns = {64999};
  EXPECT_TRUE(s->ListContests(by_as)->empty());

  ContestQuery by_date;
  by_date.date = "2026-11-22";
  by_date.state = "accepted";
  EXPECT_EQ(s->ListContests(by_date)->size(), 1u);
  by_date.date = "2026-11-23";
  EXPECT_TRUE(s->ListContests(by_date)->empty());

  ContestQuery paged;
  paged.limit = 1;
  paged.offset = 2;
  ASSERT_EQ(s->ListContests(paged)->size(), 1u);
  EXPECT_EQ((*s->ListContests(paged))[0].id, first->id);
}

// Tokens: only the hash is kept; names are unique; a revoked token stays
// listed with its revocation time and cannot be revoked twice.
TEST_P(StoreConformance, TokensAreHashedAndRevokedNeverDeleted) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  const std::string hash(64, 'a');
  TokenRow t{0, "noc-64500", "operator", {64500, 64501}, hash, "", ""};
  auto made = s->AddToken(t);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(made->created.size(), 20u);
  t.hash = std::string(64, 'b');
  EXPECT_EQ(s->AddToken(t).status().code(), StatusCode::kInvalidArgument);  // name taken
  t.name = "reviewer";
  t.role = "admin";
  EXPECT_EQ(s->AddToken(t).status().code(), StatusCode::kInvalidArgument);
  t.role = "reviewer";
  t.hash = "not-hex";
  EXPECT_EQ(s->AddToken(t).status().code(), StatusCode::kInvalidArgument);
  t.hash = std::string(64, 'b');
  t.asns.clear();
  ASSERT_TRUE(s->AddToken(t).ok());

  auto tokens = s->Tokens();
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].name, "noc-64500");
  EXPECT_EQ((*tokens)[0].role, "operator");
  EXPECT_EQ((*tokens)[0].asns, (std::vector<Asn>{64500, 64501}));
  EXPECT_EQ((*tokens)[0].hash, hash);
  EXPECT_EQ((*tokens)[0].revoked, "");

  ASSERT_TRUE(s->RevokeToken(made->id).ok());
  EXPECT_EQ(s->RevokeToken(made->id).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s->RevokeToken(999).code(), StatusCode::kNotFound);
  tokens = s->Tokens();
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].revoked.size(), 20u);
  EXPECT_EQ((*tokens)[1].revoked, "");
}

// The audit log: every row kept, newest first, paged.
TEST_P(StoreConformance, AuditLogListsEveryWriteNewestFirst) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->Audit(10, 0)->empty());
  for (int i = 0; i < 3; ++i) {
    AuditRow a{0,           "",
               7,           "noc-64500",
               "contest",   "incident 2026-11-22/" + std::to_string(i),
               "127.0.0.1", i == 1 ? "403 not your ASN" : "ok"};
    auto stored = s->AddAudit(a);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(stored->time.size(), 20u);
  }
  auto log = s->Audit(10, 0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].target, "incident 2026-11-22/2");
  EXPECT_EQ((*log)[1].outcome, "403 not your ASN");
  EXPECT_EQ((*log)[2].token, 7);
  EXPECT_EQ((*log)[2].who, "noc-64500");
  EXPECT_EQ((*log)[2].remote, "127.0.0.1");
  auto page = s->Audit(1, 2);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].target, "incident 2026-11-22/0");
}

// Route-server checks (vigia ixp check --db): the newest per IXP, the
// report kept byte for byte, other IXPs apart, bad rows refused.
TEST_P(StoreConformance, RouteServerChecksNewestPerIxp) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto none = s->LatestRsCheck("18");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());

  const std::string report = R"({"rib":{"file":"a.mrt","date":"2020-10-08"},"note":"ñ"})";
  auto first = s->PutRsCheck({0, "18", "", "a.mrt", "2020-10-08", report});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_GT(first->id, 0);
  EXPECT_EQ(first->checked_at.size(), 20u);
  auto second = s->PutRsCheck({0, "18", "", "b.mrt", "", "{}"});
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(s->PutRsCheck({0, "359", "", "c.mrt", "2026-12-06", "[]"}).ok());

  auto latest = s->LatestRsCheck("18");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->id, second->id);
  EXPECT_EQ((*latest)->rib_file, "b.mrt");
  EXPECT_EQ((*latest)->rib_date, "");
  EXPECT_EQ((*latest)->report_json, "{}");
  auto other = s->LatestRsCheck("359");
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_EQ((*other)->report_json, "[]");
  EXPECT_EQ((*other)->ixp_id, "359");
  EXPECT_FALSE(s->LatestRsCheck("1")->has_value());

  EXPECT_EQ(s->PutRsCheck({0, "", "", "a.mrt", "", "{}"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s->PutRsCheck({0, "18", "", "a.mrt", "", ""}).status().code(),
            StatusCode::kInvalidArgument);
  // The first report is still there as written (append-only).
  ASSERT_TRUE(s->PutRsCheck({0, "7", "", "a.mrt", "2020-10-08", report}).ok());
  EXPECT_EQ((*s->LatestRsCheck("7"))->report_json, report);
}

// Live detector events: append-only, newest first, filtered by rule, key,
// AS (culprit, propagator or victim) and time; open_only keeps the keys
// whose last row is a raise; bad rows refused.
TEST_P(StoreConformance, LiveEventsRaisedAndCleared) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto none = s->LiveEvents({});
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());

  LiveEventRow hijack;
  hijack.phase = "raised";
  hijack.rule = "hijack";
  hijack.key = "hijack|192.0.2.0/24|AS64666";
  hijack.time = 1'800'000'000;
  hijack.peers = 3;
  hijack.type = "hijack";
  hijack.kind = "exact";
  hijack.culprit = 64666;
  hijack.propagator = 64501;
  hijack.prefixes = {"192.0.2.0/24"};
  hijack.start = hijack.end = hijack.time;
  hijack.confidence = 0.7;
  hijack.cause = "exact 192.0.2.0/24 AS64500";
  hijack.victims = {64500};
  hijack.evidence = R"({"reasons":["ñ"]})";
  auto first = s->AddLiveEvent(hijack);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_GT(first->id, 0);
  EXPECT_EQ(first->recorded.size(), 20u);

  LiveEventRow leak;
  leak.phase = "raised";
  leak.rule = "route_leak";
  leak.key = "route_leak|AS64510|AS64511";
  leak.time = hijack.time + 5;
  leak.type = "route_leak";
  leak.culprit = 64510;
  leak.prefixes = {"198.51.100.0/24", "203.0.113.0/24"};
  ASSERT_TRUE(s->AddLiveEvent(leak).ok());
  LiveEventRow cleared = hijack;
  cleared.phase = "cleared";
  cleared.time = hijack.time + 60;
  cleared.peers = 0;
  ASSERT_TRUE(s->AddLiveEvent(cleared).ok());

  auto all = s->LiveEvents({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].phase, "cleared");
  EXPECT_EQ((*all)[2].id, first->id);
  const LiveEventRow& back = (*all)[2];
  EXPECT_EQ(back.key, hijack.key);
  EXPECT_EQ(back.peers, 3);
  EXPECT_EQ(back.propagator, std::optional<Asn>(64501));
  EXPECT_EQ(back.prefixes, hijack.prefixes);
  EXPECT_EQ(back.victims, hijack.victims);
  EXPECT_EQ(back.evidence, hijack.evidence);
  EXPECT_EQ(back.cause, hijack.cause);
  EXPECT_DOUBLE_EQ(back.confidence, 0.7);
  EXPECT_FALSE((*all)[1].propagator.has_value());
  EXPECT_EQ((*all)[1].prefixes.size(), 2u);

  LiveEventQuery by_rule;
  by_rule.rule = "route_leak";
  EXPECT_EQ(s->LiveEvents(by_rule)->size(), 1u);
  LiveEventQuery by_key;
  by_key.key = hijack.key;
  EXPECT_EQ(s->LiveEvents(by_key)->size(), 2u);
  LiveEventQuery by_victim;
  by_victim.asn = 64500;
  EXPECT_EQ(s->LiveEvents(by_victim)->size(), 2u);
  LiveEventQuery by_propagator;
  by_propagator.asn = 64501;
  EXPECT_EQ(s->LiveEvents(by_propagator)->size(), 2u);
  LiveEventQuery later;
  later.since = hijack.time + 1;
  EXPECT_EQ(s->LiveEvents(later)->size(), 2u);
  LiveEventQuery open;
  open.open_only = true;
  auto still = s->LiveEvents(open);
  ASSERT_TRUE(still.ok());
  ASSERT_EQ(still->size(), 1u);
  EXPECT_EQ((*still)[0].key, leak.key);
  LiveEventQuery page;
  page.limit = 1;
  page.offset = 1;
  ASSERT_EQ(s->LiveEvents(page)->size(), 1u);
  EXPECT_EQ((*s->LiveEvents(page))[0].rule, "route_leak");

  LiveEventRow bad = hijack;
  bad.phase = "maybe";
  EXPECT_EQ(s->AddLiveEvent(bad).status().code(), StatusCode::kInvalidArgument);
  bad = hijack;
  bad.key = "";
  EXPECT_EQ(s->AddLiveEvent(bad).status().code(), StatusCode::kInvalidArgument);
}

// A snapshot keeps the directory it was analysed from (for recomputation).
TEST_P(StoreConformance, SnapshotKeepsItsDirectory) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  SnapshotInfo i = Info("2026-11-22");
  i.dir = "/var/lib/vigia/snapshots/2026-11-22";
  auto w = s->BeginSnapshot(i);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto got = s->SnapshotFor("2026-11-22");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->dir, "/var/lib/vigia/snapshots/2026-11-22");
}

// ---- Incidents: victims, cause and the queries over them (issue 15) ----

// A hijack's victims and cause come back as written (victims ascending, a
// victim given twice kept once); other incidents have none.
TEST_P(StoreConformance, IncidentsKeepVictimsAndCause) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  IncidentRow h = Incident(1, "hijack", 64500, 64501);
  h.cause = "exact 192.0.2.0/24 AS64510";
  h.victims = {64512, 64510, 64512};
  ASSERT_TRUE((*w)->AddIncident(h).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, 64500)).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto all = s->Incidents({c->id});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].cause, "exact 192.0.2.0/24 AS64510");
  EXPECT_EQ((*all)[0].victims, (std::vector<Asn>{64510, 64512}));
  EXPECT_EQ((*all)[1].cause, "");
  EXPECT_TRUE((*all)[1].victims.empty());
}

// Filters by victim, by the country or region of the culprit or a victim,
// by covering or covered prefix; a total for paging; newest first.
TEST_P(StoreConformance, IncidentQueriesByVictimPlaceAndPrefix) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto entity = [](const std::string& kind, const std::string& id, const std::string& country,
                   const std::string& region) {
    return EntityRow{kind, id, "name " + id, country, region, false, 1, "{}"};
  };
  int64_t snap[2] = {0, 0};
  for (int d = 0; d < 2; ++d) {
    auto w = s->BeginSnapshot(Info(d == 0 ? "2026-11-21" : "2026-11-22"));
    ASSERT_TRUE(w.ok());
    // 64500 (BR, lacnic) hijacks 192.0.2.0/24 of 64510 (UY) and 64511 (NL).
    IncidentRow a = Incident(1, "hijack", 64500, 64501);
    a.prefixes = {"192.0.2.0/24"};
    a.victims = {64510, 64511};
    // 64520 (US) hijacks 198.51.100.0/25 of 64511.
    IncidentRow b = Incident(2, "subprefix_hijack", 64520, std::nullopt);
    b.prefixes = {"198.51.100.0/25"};
    b.victims = {64511};
    // A leak by 64530 (CW registered with RIPE: its country's region rules).
    IncidentRow c = Incident(3, "route_leak", 64530, 64500);
    c.prefixes = {"203.0.113.0/24"};
    // A leak by 64540, an AS with no country: its own registry's region.
    IncidentRow f = Incident(4, "route_leak", 64540, std::nullopt);
    f.prefixes = {"203.0.113.128/25"};
    for (const IncidentRow& r : {a, b, c, f}) ASSERT_TRUE((*w)->AddIncident(r).ok());
    for (const EntityRow& e :
         {entity("as", "64500", "BR", "lacnic"), entity("as", "64510", "UY", "lacnic"),
          entity("as", "64511", "NL", "ripencc"), entity("as", "64520", "US", "arin"),
          entity("as", "64530", "CW", "ripencc"), entity("as", "64540", "", "apnic"),
          entity("country", "BR", "", "lacnic"), entity("country", "UY", "", "lacnic"),
          entity("country", "NL", "", "ripencc"), entity("country", "US", "", "arin"),
          entity("country", "CW", "", "lacnic")}) {
      ASSERT_TRUE((*w)->AddEntity(e).ok());
    }
    auto committed = (*w)->Commit();
    ASSERT_TRUE(committed.ok());
    snap[d] = committed->id;
  }
  auto ids = [&](IncidentQuery q) {
    std::vector<int64_t> out;
    auto rows = s->Incidents(q);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.id);
    }
    auto n = s->CountIncidents(q);
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (n.ok() && q.limit >= 1000 && q.offset == 0) {
      EXPECT_EQ(*n, static_cast<int64_t>(out.size()));
    }
    return out;
  };
  using V = std::vector<int64_t>;
  IncidentQuery q;
  q.snapshot = snap[1];
  // By victim (alone, and with the AS filter).
  q.victim = 64511;
  EXPECT_EQ(ids(q), (V{1, 2}));
  q.victim = 64510;
  EXPECT_EQ(ids(q), (V{1}));
  q.asn = 64520;
  EXPECT_EQ(ids(q), (V{}));
  q.asn = 64500;
  EXPECT_EQ(ids(q), (V{1}));
  q.asn.reset();
  q.victim.reset();
  // By country: the culprit's or a victim's.
  q.country = "NL";
  EXPECT_EQ(ids(q), (V{1, 2}));
  q.country = "US";
  EXPECT_EQ(ids(q), (V{2}));
  q.country = "AR";
  EXPECT_EQ(ids(q), (V{}));
  q.country.clear();
  // By region: by the country's region (CW is in LACNIC's although its AS
  // says RIPE), by the AS's own when it has no country.
  q.region = "lacnic";
  EXPECT_EQ(ids(q), (V{1, 3}));
  q.region = "ripencc";
  EXPECT_EQ(ids(q), (V{1, 2}));
  q.region = "apnic";
  EXPECT_EQ(ids(q), (V{4}));
  q.region = "afrinic";
  EXPECT_EQ(ids(q), (V{}));
  q.region.clear();
  // By prefix: exact, covered (more specific) or covering (less specific).
  q.prefix = "198.51.100.0/24";
  EXPECT_EQ(ids(q), (V{}));
  q.match = PrefixMatch::kMore;
  EXPECT_EQ(ids(q), (V{2}));
  q.prefix = "198.51.100.0/26";
  EXPECT_EQ(ids(q), (V{}));
  q.match = PrefixMatch::kLess;
  EXPECT_EQ(ids(q), (V{2}));
  q.prefix = "203.0.113.130/32";
  EXPECT_EQ(ids(q), (V{3, 4}));  // every covering one
  q.prefix = "203.0.113.0/24";
  q.match = PrefixMatch::kMore;
  EXPECT_EQ(ids(q), (V{3, 4}));  // the prefix itself and a more specific
  q.prefix = "192.0.0.0/8";
  EXPECT_EQ(ids(q), (V{1}));
  q.prefix = "2001:db8::/32";
  EXPECT_EQ(ids(q), (V{}));
  q.prefix.clear();
  q.match = PrefixMatch::kExact;
  // The total ignores limit and offset.
  q.limit = 1;
  q.offset = 1;
  EXPECT_EQ(ids(q), (V{2}));
  EXPECT_EQ(*s->CountIncidents(q), 4);
  // Newest first over a date range: the later snapshot first.
  IncidentQuery r;
  r.from_date = "2026-11-01";
  r.victim = 64511;
  r.newest_first = true;
  auto rows = s->Incidents(r);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].snapshot, snap[1]);
  EXPECT_EQ((*rows)[0].id, 2);  // the later start first
  EXPECT_EQ((*rows)[3].snapshot, snap[0]);
  EXPECT_EQ(*s->CountIncidents(r), 4);
}

// The reference rows /api/route reads: by exact prefix (the caller lists
// the less-specifics), a row given twice kept once; totals, or none for a
// snapshot stored without them; one prefix's origin history.
TEST_P(StoreConformance, RouteReferenceRowsAndOrigins) {
  auto s = OpenFresh();
  ASSERT_TRUE(s);
  auto w = s->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  const RouteRefRow vrp{"vrp", "192.0.2.0/24", 24, 64500, "lacnic"};
  const RouteRefRow wide{"vrp", "192.0.0.0/16", 20, 64501, ""};
  const RouteRefRow route{"route", "192.0.2.0/24", 0, 64502, "RADB"};
  for (const RouteRefRow& r : {vrp, wide, route, vrp}) ASSERT_TRUE((*w)->AddRouteRef(r).ok());
  ASSERT_TRUE((*w)->SetRouteRefTotals({10, 20, 3, false}).ok());
  ASSERT_TRUE(
      (*w)->AddRouteSeen(
              {"192.0.2.0/24", 64500, 3, {"rrc00", "route-views2"}, "64501 64500", 100, 200})
          .ok());
  ASSERT_TRUE((*w)->AddOrigin("192.0.2.0/24", 64500).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok());
  auto rows = s->RouteRefs(c->id, {"192.0.2.0/24", "192.0.0.0/16", "10.0.0.0/8"});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].kind, "route");  // by prefix asked, then kind
  EXPECT_EQ((*rows)[0].source, "RADB");
  EXPECT_EQ((*rows)[1].asn, 64500u);
  EXPECT_EQ((*rows)[1].max_length, 24);
  EXPECT_EQ((*rows)[2].prefix, "192.0.0.0/16");
  auto totals = s->RouteRefTotalsOf(c->id);
  ASSERT_TRUE(totals.ok() && totals->has_value());
  EXPECT_EQ((*totals)->vrps, 10);
  EXPECT_EQ((*totals)->route_objects, 20);
  EXPECT_EQ((*totals)->kept, 3);
  EXPECT_FALSE((*totals)->truncated);
  EXPECT_FALSE(s->RouteRefTotalsOf(c->id + 1)->has_value());
  auto origins = s->OriginsOf("192.0.2.0/24");
  ASSERT_TRUE(origins.ok());
  ASSERT_EQ(origins->size(), 1u);
  EXPECT_EQ((*origins)[0].origin, 64500u);
  EXPECT_EQ((*origins)[0].first_date, "2026-11-22");
  EXPECT_TRUE(s->OriginsOf("10.0.0.0/8")->empty());
  auto seen = s->RoutesSeen(c->id, "192.0.2.0/24");
  ASSERT_TRUE(seen.ok()) << seen.status().message();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].origin, 64500u);
  EXPECT_EQ((*seen)[0].peers, 3);
  EXPECT_EQ((*seen)[0].collectors, (std::vector<std::string>{"rrc00", "route-views2"}));
  EXPECT_EQ((*seen)[0].path, "64501 64500");
  EXPECT_EQ((*seen)[0].first, 100);
  EXPECT_EQ((*seen)[0].last, 200);
  EXPECT_TRUE(s->RoutesSeen(c->id, "10.0.0.0/8")->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(UrlTemplates()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n =
                               UrlScheme(p.param).value_or("path") + std::to_string(p.index);
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace vigia::store
