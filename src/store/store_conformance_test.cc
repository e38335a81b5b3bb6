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
