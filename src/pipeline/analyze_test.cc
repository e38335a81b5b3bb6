// pipeline::Analyze end to end on a small simulated snapshot: what it
// stores, the history a second run reads, and a partial snapshot whose
// affected metrics say "no data" instead of a better score.
#include "pipeline/analyze.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/test_util.h"
#include "sim/snapshot.h"
#include "sim/test_simulation.h"

namespace vigia::pipeline {
namespace {

namespace fs = std::filesystem;

class PipelineAnalyze : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = new fs::path(fs::temp_directory_path() /
                        ("vigia_pipeline_sim_" + std::to_string(getpid())));
    auto rep = sim::Simulate(sim::test::SmallSimulation(sim_->string(), 400, 3000, 6, 5));
    ASSERT_TRUE(rep.ok()) << rep.status().message();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*sim_);
    delete sim_;
  }
  void SetUp() override {
    dir_ = test_util::TestTempPath("vigia_pipeline_");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(*sim_, dir_ / "snap", fs::copy_options::recursive);
    auto st = store::Store::Open("sqlite:" + (dir_ / "vigia.db").string());
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(st).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string Snap() const { return (dir_ / "snap").string(); }
  // One metric of every AS that has it, in the stored snapshot.
  size_t WithValue(int64_t snapshot, const char* metric) {
    size_t n = 0;
    auto ranking = store_->Ranking(snapshot, "as", 100'000, 0);
    EXPECT_TRUE(ranking.ok());
    for (const auto& [e, s] : *ranking) {
      auto metrics = store_->Metrics(snapshot, static_cast<Asn>(std::stoul(e.id)));
      EXPECT_TRUE(metrics.ok());
      for (const auto& m : *metrics) n += m.metric == metric && m.value.has_value();
    }
    return n;
  }

  static fs::path* sim_;
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};
fs::path* PipelineAnalyze::sim_ = nullptr;

TEST_F(PipelineAnalyze, StoresOneCompleteSnapshotAndReportsEachStep) {
  std::vector<std::string> steps;
  AnalyzeOptions o;
  o.progress = [&](std::string_view s) { steps.emplace_back(s); };
  auto r = Analyze(Snap(), *store_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(steps,
            (std::vector<std::string>{"loading the snapshot", "detecting", "scoring", "storing"}));
  EXPECT_FALSE(r->stored.partial);
  EXPECT_TRUE(r->problems.empty());
  EXPECT_GT(r->incidents, 0u);
  EXPECT_GT(r->ases, 0u);
  ASSERT_TRUE(r->all.has_value());
  EXPECT_EQ(r->stored.source.rfind("manifest sha256:", 0), 0u) << r->stored.source;
  auto newest = store_->SnapshotFor("");
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->id, r->stored.id);
  size_t stored = 0;
  auto counts = store_->IncidentCounts(r->stored.id);
  ASSERT_TRUE(counts.ok());
  for (const auto& [type, n] : *counts) stored += static_cast<size_t>(n);
  EXPECT_EQ(stored, r->incidents);
  EXPECT_GT(r->seconds.total, 0);
  // The first run has no history to consult; the second one has.
  auto has_note = [](const AnalyzeResult& x, const char* text) {
    for (const auto& n : x.notes) {
      if (n.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_note(*r, "history: no earlier snapshot"));
  // The same day analysed again: a second snapshot, the one its date finds.
  auto again = Analyze(Snap(), *store_, AnalyzeOptions{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(store_->Snapshots()->size(), 2u);
  EXPECT_EQ(store_->SnapshotFor(r->stored.date)->id, again->stored.id);
  EXPECT_EQ(again->incidents, r->incidents);
}

// Issue 15: every stored incident keeps its cause, every hijack its
// victims (the prefix's legitimate origins), and a victim finds the
// incidents against it.
TEST_F(PipelineAnalyze, StoredHijacksNameTheirVictims) {
  auto r = Analyze(Snap(), *store_, AnalyzeOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto rows = store_->Incidents({r->stored.id, "", std::nullopt, 100'000});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  size_t hijacks = 0;
  for (const auto& in : *rows) {
    EXPECT_FALSE(in.cause.empty()) << in.type << " " << in.id;
    if (in.type != "hijack" && in.type != "subprefix_hijack") {
      EXPECT_TRUE(in.victims.empty()) << in.type << " " << in.id;
      continue;
    }
    ++hijacks;
    ASSERT_FALSE(in.victims.empty()) << in.id << " " << in.cause;
    EXPECT_TRUE(std::find(in.victims.begin(), in.victims.end(), in.culprit) == in.victims.end());
    store::IncidentQuery q;
    q.snapshot = r->stored.id;
    q.victim = in.victims[0];
    auto attacks = store_->Incidents(q);
    ASSERT_TRUE(attacks.ok());
    EXPECT_TRUE(std::any_of(attacks->begin(), attacks->end(),
                            [&](const store::IncidentRow& a) { return a.id == in.id; }));
  }
  EXPECT_GT(hijacks, 0u) << "the simulation injects hijacks";
}

// The manifest was never enforced: a deleted rpki/ gave exit 0 and better
// Action 4 scores. Now the snapshot is stored partial, saying what was
// missing, and M7RPKI has no data rather than an "all not-found" value.
TEST_F(PipelineAnalyze, ADeletedRpkiDirectoryIsStoredPartialWithNoRpkiData) {
  auto full = Analyze(Snap(), *store_, AnalyzeOptions{});
  ASSERT_TRUE(full.ok());
  ASSERT_GT(WithValue(full->stored.id, "M7RPKI"), 0u);
  fs::remove_all(dir_ / "snap" / "rpki");
  auto r = Analyze(Snap(), *store_, AnalyzeOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->stored.partial);
  EXPECT_EQ(r->stored.missing, std::vector<std::string>{"rpki/: absent"});
  EXPECT_EQ(WithValue(r->stored.id, "M7RPKI"), 0u);
  EXPECT_GT(WithValue(r->stored.id, "M7IRR"), 0u);  // the other half's metric stays
  // Action 4 from M7IRR alone would be the better score the issue found
  // (65.0 -> 78.1): it has no data instead.
  ASSERT_TRUE(full->all && r->all);
  EXPECT_TRUE(full->all->action[score::kAction4].mean.has_value());
  EXPECT_FALSE(r->all->action[score::kAction4].mean.has_value());
  EXPECT_EQ(r->all->action[score::kAction4].no_data, r->all->members.size());
  // Decision 3: the RPKI coverage says no data rather than "0 % valid".
  auto coverage = [&](int64_t snap) {
    auto e = store_->Entity(snap, "group", "all");
    EXPECT_TRUE(e.ok() && e->has_value());
    return nlohmann::json::parse((*e)->detail)["coverage"];
  };
  EXPECT_EQ(coverage(full->stored.id)["rpki"]["no_data"], false);
  EXPECT_GT(coverage(full->stored.id)["rpki"]["valid"], 0);
  EXPECT_EQ(coverage(r->stored.id)["rpki"]["no_data"], true);
  EXPECT_EQ(coverage(r->stored.id)["rpki"]["valid"], 0);
  EXPECT_EQ(coverage(r->stored.id)["irr"]["no_data"], false);
  auto stored = store_->SnapshotFor(r->stored.date);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, r->stored.id);
  EXPECT_TRUE(stored->partial);
  EXPECT_EQ(stored->missing, r->stored.missing);
  // Decision 6: the simulation's provenance is stored with the snapshot.
  const auto prov = nlohmann::json::parse(stored->provenance);
  EXPECT_EQ(prov["simulated"], true);
  EXPECT_EQ(prov["observed"], stored->date);
}

// An IRR file whose SHA-256 no longer matches: partial, and M7IRR says no
// data instead of scoring the changed file.
TEST_F(PipelineAnalyze, AChangedIrrFileIsStoredPartialWithNoIrrData) {
  fs::path irr;
  for (const auto& e : fs::directory_iterator(dir_ / "snap" / "irr")) irr = e.path();
  ASSERT_FALSE(irr.empty());
  fs::resize_file(irr, fs::file_size(irr) - 1);
  auto r = Analyze(Snap(), *store_, AnalyzeOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->stored.partial);
  ASSERT_FALSE(r->stored.missing.empty());
  for (const std::string& m : r->stored.missing) {
    EXPECT_EQ(m.rfind("irr/" + irr.filename().string() + ": ", 0), 0u) << m;
  }
  EXPECT_EQ(WithValue(r->stored.id, "M7IRR"), 0u);
  EXPECT_GT(WithValue(r->stored.id, "M7RPKI"), 0u);
  ASSERT_TRUE(r->all);
  EXPECT_FALSE(r->all->action[score::kAction4].mean.has_value());
}

TEST_F(PipelineAnalyze, NoMrtFileIsAnErrorAndStoresNothing) {
  fs::remove_all(dir_ / "snap" / "mrt");
  auto r = Analyze(Snap(), *store_, AnalyzeOptions{});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(store_->Snapshots()->empty());
}

}  // namespace

// Bounded memory (issue [6/7], AnalyzeOptions::memory): the routes read a
// prefix partition at a time store the same snapshot, byte for byte.
namespace {

// Every row of every table, in row order, as text; the snapshots table's
// `created` (the time of the analysis) left out.
std::string DumpDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open " + path;
  }
  std::string out;
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                     "'sqlite_%' ORDER BY name",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  for (const std::string& t : tables) {
    out += "== " + t + "\n";
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + t + "\" ORDER BY rowid").c_str(), -1, &st,
                       nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (t == "snapshots" && std::string(sqlite3_column_name(st, c)) == "created") continue;
        const unsigned char* v = sqlite3_column_text(st, c);
        out += v ? reinterpret_cast<const char*>(v) : "NULL";
        out += '\t';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_F(PipelineAnalyze, PartitionedReadsStoreTheSameSnapshotByteForByte) {
  store_.reset();
  std::string whole;
  for (uint32_t n : {0u, 1u, 4u, 16u}) {
    const std::string db = (dir_ / ("p" + std::to_string(n) + ".db")).string();
    auto st = store::Store::Open("sqlite:" + db);
    ASSERT_TRUE(st.ok()) << st.status().message();
    AnalyzeOptions o;
    o.partitions = n;
    auto r = Analyze(Snap(), **st, o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    st->reset();
    EXPECT_EQ(r->partitions.size(), n) << n;
    EXPECT_GT(r->incidents, 0u);
    const std::string dump = DumpDatabase(db);
    if (n == 0) {
      whole = dump;
      EXPECT_GT(whole.size(), 10'000u);
    } else {
      EXPECT_TRUE(dump == whole) << n << " partitions: the stored snapshot differs";
    }
  }
}

TEST_F(PipelineAnalyze, MemoryTooSmallForOneBucketStopsWithAClearMessageAndStoresNothing) {
  AnalyzeOptions o;
  o.memory = 20ull << 20;  // less than the process and reference data alone
  o.memory_setting = "20M";
  auto r = Analyze(Snap(), *store_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("--memory 20M is too small"), std::string::npos)
      << r.status().message();
  auto snaps = store_->Snapshots();
  ASSERT_TRUE(snaps.ok());
  EXPECT_TRUE(snaps->empty());
}

TEST_F(PipelineAnalyze, AMemoryThatFitsReadsInOnePartitionAndSaysSo) {
  AnalyzeOptions o;
  o.memory = 8ull << 30;
  o.memory_setting = "8G";
  auto r = Analyze(Snap(), *store_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->partitions.size(), 1u);
  EXPECT_GT(r->peak_rss, 0u);
  bool noted = false;
  for (const std::string& n : r->notes)
    noted |= n.rfind("memory: routes read in 1 partition", 0) == 0;
  EXPECT_TRUE(noted);
}

}  // namespace vigia::pipeline
