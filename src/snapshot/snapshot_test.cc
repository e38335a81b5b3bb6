// The snapshot layout, the manifest check and the loader, on a small
// simulated snapshot: what the simulator writes is what the layout names,
// and a missing, changed or unreadable input makes the snapshot partial
// instead of an exception or a silent success.
#include "sim/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/test_util.h"
#include "sim/test_simulation.h"
#include "snapshot/extras.h"
#include "snapshot/layout.h"
#include "snapshot/manifest.h"
#include "snapshot/provenance.h"
#include "snapshot/snapshot.h"

namespace vigia::snapshot {
namespace {

namespace fs = std::filesystem;

// One simulated snapshot per test program; each test works on a copy.
const fs::path& Simulated() {
  static const fs::path dir = [] {
    const fs::path d =
        fs::temp_directory_path() / ("vigia_snapshot_sim_" + std::to_string(getpid()));
    sim::SimulateOptions o = sim::test::SmallSimulation(d.string(), 300, 2000, 4, 3);
    o.days = 1;
    auto rep = sim::Simulate(o);
    EXPECT_TRUE(rep.ok()) << rep.status().message();
    return d;
  }();
  return dir;
}

class SnapshotDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_util::TestTempPath("vigia_snapshot_");
    fs::remove_all(dir_);
    fs::copy(Simulated(), dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path File(const char* part, const char* must_hold) {
    for (const auto& e : fs::directory_iterator(dir_ / part)) {
      if (e.path().filename().string().find(must_hold) != std::string::npos) return e.path();
    }
    ADD_FAILURE() << "no " << must_hold << " in " << part;
    return {};
  }
  static bool Mentions(const std::vector<std::string>& v, const std::string& text) {
    for (const auto& s : v) {
      if (s.find(text) != std::string::npos) return true;
    }
    return false;
  }
  fs::path dir_;
};

// Every directory and file the simulator writes is one the layout names,
// and the loader's rules recognise each file's kind.
TEST_F(SnapshotDir, TheSimulatorWritesTheLayout) {
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory()) {
      Part p;
      EXPECT_TRUE(PartOfPath(n + "/x", &p)) << n;
      continue;
    }
    EXPECT_TRUE(n == kManifestFile || n == kTruthFile) << n;
  }
  for (const PartInfo& p : Parts()) EXPECT_TRUE(fs::is_directory(dir_ / p.dir)) << p.dir;
  size_t ribs = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "mrt")) {
    const std::string n = e.path().filename().string();
    ribs += IsRibDump(n);
    EXPECT_FALSE(CollectorOf(n).empty());
  }
  EXPECT_GE(ribs, 1u);
  EXPECT_TRUE(fs::exists(dir_ / "rpki" / kVrpFile));
  EXPECT_TRUE(IsAsRelFile(File("topology", "as-rel").filename().string()));
  EXPECT_TRUE(IsAs2OrgFile(File("topology", "as-org2info").filename().string()));
  EXPECT_TRUE(IsManrsFile(std::string(kManrsFile)));
  EXPECT_TRUE(IsSpooferFile(std::string(kSpooferFile)));
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->format, kFormat);
  EXPECT_GT(m->window_end, m->window_start);
  EXPECT_FALSE(m->files.empty());
}

TEST_F(SnapshotDir, AnIntactSnapshotVerifiesAndIsComplete) {
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(VerifyManifest(dir_.string(), *m).empty());
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_FALSE(s.partial());
  for (const PartInfo& p : Parts()) EXPECT_FALSE(s.Damaged(p.part)) << p.dir;
}

// A deleted rpki/ is named once, as the directory; the snapshot is partial
// and only the RPKI part is damaged.
TEST_F(SnapshotDir, ADeletedDirectoryMakesItPartial) {
  fs::remove_all(dir_ / "rpki");
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok());
  const auto d = VerifyManifest(dir_.string(), *m);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].what, "rpki/: absent");
  ASSERT_TRUE(d[0].part.has_value());
  EXPECT_EQ(*d[0].part, Part::kRpki);
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_TRUE(s.partial());
  EXPECT_TRUE(s.Damaged(Part::kRpki));
  EXPECT_FALSE(s.Damaged(Part::kIrr));
  EXPECT_TRUE(Mentions(s.missing, "rpki/: absent"));
}

// A changed byte (same size) fails the SHA-256; a cut file fails the size.
TEST_F(SnapshotDir, ChangedOrCutFilesAreDamage) {
  const fs::path irr = File("irr", ".db");
  {
    std::fstream f(irr, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x5a');
  }
  const fs::path org = File("topology", "as-org2info");
  fs::resize_file(org, fs::file_size(org) / 2);
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok());
  const auto d = VerifyManifest(dir_.string(), *m);
  ASSERT_EQ(d.size(), 2u);
  std::vector<std::string> what;
  for (const auto& x : d) what.push_back(x.what);
  EXPECT_TRUE(
      Mentions(what, "irr/" + irr.filename().string() + ": sha256 differs from the manifest"));
  EXPECT_TRUE(Mentions(what, "bytes, the manifest says"));
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_TRUE(s.Damaged(Part::kIrr));
  EXPECT_TRUE(s.Damaged(Part::kTopology));
  EXPECT_FALSE(s.Damaged(Part::kRpki));
}

// A symlink loop in mrt/, rpki/ or irr/ used to abort analyze with an
// uncaught std::filesystem::filesystem_error; now it is damage.
TEST_F(SnapshotDir, SymlinkLoopsAreDamageNotExceptions) {
  for (const char* part : {"mrt", "rpki", "irr", "extra", "peeringdb"}) {
    fs::create_symlink("loop", dir_ / part / "loop");
  }
  Snapshot s;
  Status st;
  ASSERT_NO_THROW(st = LoadSnapshot(dir_.string(), &s));
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(s.partial());
  for (Part p : {Part::kMrt, Part::kRpki, Part::kIrr}) EXPECT_TRUE(s.Damaged(p)) << InfoOf(p).dir;
  EXPECT_TRUE(Mentions(s.missing, "mrt/loop: "));
  EXPECT_GT(s.routes.prefixes().size(), 0u);  // the other files were read
  Extras e;
  ASSERT_NO_THROW(LoadExtras(dir_.string(), &e));
  EXPECT_TRUE(e.have_manrs);
}

// A VRP file with garbage in the middle: the good records load, the
// snapshot is partial and RPKI is damaged, manifest or not.
TEST_F(SnapshotDir, AVrpFileWithGarbageInTheMiddleIsDamage) {
  fs::remove(dir_ / kManifestFile);
  fs::remove(dir_ / "rpki" / kVrpFile);
  std::ofstream(dir_ / "rpki" / "vrps.csv") << "ASN,IP Prefix,Max Length,Trust Anchor\n"
                                               "AS64500,192.0.2.0/24,24,ripe\n"
                                               "\x01\x02 garbage, not a VRP\n"
                                               "AS64501,198.51.100.0/24,24,ripe\n";
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_TRUE(s.partial());
  EXPECT_TRUE(s.Damaged(Part::kRpki));
  EXPECT_TRUE(Mentions(s.missing, "unreadable VRP records"));
  EXPECT_EQ(s.vrps.size(), 2u);
}

// A manifest cannot make the check open files outside the snapshot, and a
// manifest that is not one is reported, never trusted.
TEST_F(SnapshotDir, HostileManifests) {
  nlohmann::json m;
  m["format"] = kFormat;
  m["window"] = {{"start", "2026-11-22T00:00:00Z"}, {"end", "2026-11-23T00:00:00Z"}};
  m["files"] = {{{"path", "../../etc/passwd"}, {"size", 1}},
                {{"path", "/etc/passwd"}, {"size", 1}}};
  std::ofstream(dir_ / kManifestFile) << m.dump();
  auto read = ReadManifest(dir_.string());
  ASSERT_TRUE(read.ok());
  const auto d = VerifyManifest(dir_.string(), *read);
  ASSERT_EQ(d.size(), 2u);
  for (const auto& x : d)
    EXPECT_NE(x.what.find("not a path inside the snapshot"), std::string::npos) << x.what;
  std::ofstream(dir_ / kManifestFile) << "[1, 2";
  EXPECT_EQ(ReadManifest(dir_.string()).status().code(), StatusCode::kCorrupt);
  fs::remove(dir_ / kManifestFile);
  EXPECT_EQ(ReadManifest(dir_.string()).status().code(), StatusCode::kNotFound);
}

// Rewrites the manifest with a "sources" list (as `vigia update` writes it).
void AddSources(const fs::path& dir, const nlohmann::json& sources) {
  std::ifstream in(dir / kManifestFile);
  nlohmann::json m = nlohmann::json::parse(in);
  m["sources"] = sources;
  std::ofstream(dir / kManifestFile) << m.dump();
}

// The per-file and per-source fields `vigia update` writes are read back.
TEST_F(SnapshotDir, UpdateFieldsAreRead) {
  std::ifstream in(dir_ / kManifestFile);
  nlohmann::json m = nlohmann::json::parse(in);
  in.close();
  m["files"][0]["url"] = "http://127.0.0.1/x.gz";
  m["files"][0]["fetched"] = "2026-11-23T01:02:03Z";
  m["files"][0]["source_date"] = "2026-11-22T00:00:00Z";
  m["files"][0]["source"] = "ris";
  m["sources"] = {{{"name", "ris"},
                   {"part", "mrt"},
                   {"status", "complete"},
                   {"files", 3},
                   {"bytes", 1000},
                   {"base", "http://127.0.0.1"},
                   {"notes", {"a note"}}}};
  std::ofstream(dir_ / kManifestFile) << m.dump();
  auto r = ReadManifest(dir_.string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->files[0].url, "http://127.0.0.1/x.gz");
  EXPECT_EQ(r->files[0].fetched, "2026-11-23T01:02:03Z");
  EXPECT_EQ(r->files[0].source_date, "2026-11-22T00:00:00Z");
  EXPECT_EQ(r->files[0].source, "ris");
  ASSERT_EQ(r->sources.size(), 1u);
  EXPECT_EQ(r->sources[0].status, "complete");
  EXPECT_EQ(r->sources[0].files, 3u);
  EXPECT_EQ(r->sources[0].bytes, 1000u);
  ASSERT_EQ(r->sources[0].notes.size(), 1u);
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_FALSE(s.partial());

  m["sources"] = nlohmann::json::array();
  for (size_t i = 0; i <= kMaxManifestSources; ++i)
    m["sources"].push_back({{"name", "x"}, {"status", "complete"}});
  std::ofstream(dir_ / kManifestFile) << m.dump();
  EXPECT_EQ(ReadManifest(dir_.string()).status().code(), StatusCode::kLimitExceeded);
  m["sources"] = {{{"part", "mrt"}}};
  std::ofstream(dir_ / kManifestFile) << m.dump();
  EXPECT_EQ(ReadManifest(dir_.string()).status().code(), StatusCode::kCorrupt);
}

// A source `vigia update` could not fetch damages its part: the snapshot is
// partial and says which source and why.
TEST_F(SnapshotDir, AnAbsentSourceDamagesItsPart) {
  AddSources(dir_, {{{"name", "ris"}, {"part", "mrt"}, {"status", "complete"}},
                    {{"name", "rpki"},
                     {"part", "rpki"},
                     {"status", "absent"},
                     {"reason", "vrps.json: HTTP 404"}}});
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_TRUE(s.partial());
  EXPECT_TRUE(s.Damaged(Part::kRpki));
  EXPECT_FALSE(s.Damaged(Part::kIrr));
  EXPECT_FALSE(s.Damaged(Part::kMrt));
  EXPECT_TRUE(Mentions(s.missing, "rpki/: source rpki absent: vrps.json: HTTP 404"));
}

// A partial MRT source (one collector's file missing) makes the snapshot
// partial but leaves mrt/ undamaged: the routes that were read are routes.
TEST_F(SnapshotDir, APartialMrtSourceOnlyMakesItPartial) {
  AddSources(
      dir_,
      {{{"name", "ris"}, {"part", "mrt"}, {"status", "partial"}, {"reason", "rrc02: HTTP 404"}}});
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_TRUE(s.partial());
  for (const PartInfo& p : Parts()) EXPECT_FALSE(s.Damaged(p.part)) << p.dir;
  EXPECT_TRUE(Mentions(s.missing, "mrt/: source ris partial: rrc02: HTTP 404"));
}

// SLURM files in rpki/ (`vigia update --slurm`) are exceptions, not VRPs:
// RFC 8416 §4.1, the filters drop, then the assertions add, and the
// snapshot says what each file did.
TEST_F(SnapshotDir, SlurmFilesInRpkiAreApplied) {
  Snapshot before;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &before).ok());
  ASSERT_GT(before.vrps.size(), 0u);
  const std::string first = before.vrps.vrps()[0].prefix.ToString();
  auto count = [](const Snapshot& s, const std::string& prefix, uint32_t asn) {
    size_t n = 0;
    for (const auto& v : s.vrps.vrps()) n += v.prefix.ToString() == prefix && v.asn == Asn(asn);
    return n;
  };
  ASSERT_EQ(count(before, "198.51.100.0/24", 64496), 0u);
  std::ofstream(dir_ / "rpki" / "local.slurm.json") << R"({
    "slurmVersion": 1,
    "validationOutputFilters": {"prefixFilters": [{"prefix": ")"
                                                    << first << R"("}], "bgpsecFilters": []},
    "locallyAddedAssertions": {"prefixAssertions": [{"asn": 64496, "prefix": "198.51.100.0/24"}],
                               "bgpsecAssertions": []}})";
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  EXPECT_FALSE(s.Damaged(Part::kRpki));
  EXPECT_EQ(count(s, "198.51.100.0/24", 64496), 1u);
  size_t first_left = 0;
  for (const auto& v : s.vrps.vrps()) first_left += v.prefix.ToString() == first;
  EXPECT_EQ(first_left, 0u);
  EXPECT_TRUE(Mentions(s.skipped, "rpki/local.slurm.json: SLURM applied: "));
  EXPECT_TRUE(Mentions(s.skipped, "1 asserted")) << ::testing::PrintToString(s.skipped);

  // A SLURM file that is not one damages rpki/ and is applied not at all.
  std::ofstream(dir_ / "rpki" / "local.slurm.json") << "{\"slurmVersion\": 7}";
  Snapshot bad;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &bad).ok());
  EXPECT_TRUE(bad.Damaged(Part::kRpki));
  EXPECT_TRUE(Mentions(bad.missing, "rpki/local.slurm.json: unreadable SLURM"));
  EXPECT_EQ(count(bad, "198.51.100.0/24", 64496), 0u);
}

// A MANRS list with more bad rows than a ProblemLog keeps: the first
// kMaxProblemsKept are listed with file and line, every one is counted, and
// LoadExtras says how many were not listed; input text in a message is
// escaped.
TEST_F(SnapshotDir, ExtrasProblemsAreCappedAndCounted) {
  std::string csv = "Organization Name,Areas,ASNs\nGood,BR,64500\n";
  for (size_t i = 0; i < kMaxProblemsKept + 5; ++i) csv += "Bad,BR,12x\x1b\n";
  ManrsList l;
  ASSERT_TRUE(ParseManrsCsv(csv, "m.csv", &l).ok());
  EXPECT_EQ(l.asns.count(64500), 1u);
  EXPECT_EQ(l.problems.count(), kMaxProblemsKept + 5);
  ASSERT_EQ(l.problems.kept().size(), kMaxProblemsKept);
  EXPECT_EQ(l.problems.kept()[0].where, "m.csv:3");
  EXPECT_EQ(l.problems.kept()[0].message.find('\x1b'), std::string::npos);

  fs::create_directories(dir_ / InfoOf(Part::kExtra).dir);
  std::ofstream(dir_ / InfoOf(Part::kExtra).dir / "manrs_participants.csv") << csv;
  Extras ex;
  LoadExtras(dir_.string(), &ex);
  EXPECT_TRUE(ex.have_manrs);
  EXPECT_TRUE(Mentions(ex.problems, "manrs_participants.csv:3: "));
  EXPECT_TRUE(Mentions(ex.problems, "5 more problems not listed"));
}

// Decision 6: every input's source, date and age; the spread of the dates
// and a warning past kMaxSpreadDays. The dates as the real-data script and
// `vigia update` write them.
TEST(Provenance, InputsCarrySourceDateAgeAndTheSpreadIsWarnedOf) {
  Manifest m;
  ManifestFile rib{"mrt/rib.bz2", 1, "", "routeviews", "", "", "2014-05-23T06:00:00Z"};
  ManifestFile upd{"mrt/upd.gz", 1, "", "ris", "", "", "", "2015-04-01T00:00:04Z"};
  ManifestFile roa{"rpki/vrps.csv", 1, "", "afrinic-ta", "", "", "", "2022-01-01"};
  ManifestFile irr{"irr/ripe.txt", 1, "", "ripe", "", "", "", "2016-04"};
  ManifestFile reg{"registry/x", 1, "", "lacnic", "", "", ""};  // no date
  m.files = {rib, upd, roa, irr, reg};
  const auto p = nlohmann::json::parse(ProvenanceJson(&m, "2014-05-23"));
  EXPECT_EQ(p["simulated"], false);
  EXPECT_EQ(p["observed"], "2014-05-23");
  ASSERT_EQ(p["inputs"].size(), 4u);  // mrt, rpki, irr, registry: the parts it has
  EXPECT_EQ(p["inputs"][0]["input"], "mrt");
  EXPECT_EQ(p["inputs"][0]["source"], "ris, routeviews");
  EXPECT_EQ(p["inputs"][0]["date"], "2014-05-23");  // the oldest of its files
  EXPECT_EQ(p["inputs"][0]["age_days"], 0);
  EXPECT_EQ(p["inputs"][1]["date"], "2022-01-01");
  EXPECT_EQ(p["inputs"][1]["age_days"], -2780);  // newer than the routes it judges
  EXPECT_EQ(p["inputs"][2]["date"], "2016-04-01");
  EXPECT_TRUE(p["inputs"][3]["date"].is_null());
  EXPECT_TRUE(p["inputs"][3]["age_days"].is_null());
  EXPECT_EQ(p["spread_days"], 2780);
  ASSERT_EQ(p["warnings"].size(), 1u);
  EXPECT_NE(p["warnings"][0].get<std::string>().find("2780 days apart"), std::string::npos);
  EXPECT_EQ(p["warning_keys"][0]["key"], "provenance.spread");
  EXPECT_EQ(p["warning_keys"][0]["args"]["days"], 2780);
  // Within 30 days: no warning.
  m.files = {rib, ManifestFile{"rpki/v.csv", 1, "", "x", "", "", "2014-06-20"}};
  const auto close = nlohmann::json::parse(ProvenanceJson(&m, "2014-05-23"));
  EXPECT_EQ(close["spread_days"], 28);
  EXPECT_TRUE(close["warnings"].empty());
}

TEST(Provenance, ASimulatedManifestSaysSoAndNoManifestSaysNothingIsKnown) {
  Manifest m;
  m.simulated = true;
  m.files = {ManifestFile{"mrt/a.mrt", 1, "", "simulated"}};
  const auto p = nlohmann::json::parse(ProvenanceJson(&m, "2026-11-22"));
  EXPECT_EQ(p["simulated"], true);
  EXPECT_TRUE(p["spread_days"].is_null());
  EXPECT_EQ(p["warning_keys"][0]["key"], "provenance.simulated");
  const auto none = nlohmann::json::parse(ProvenanceJson(nullptr, "2026-11-22"));
  EXPECT_EQ(none["simulated"], false);
  EXPECT_EQ(none["inputs"].size(), kPartCount);  // every input, none known
  EXPECT_EQ(none["warning_keys"][0]["key"], "provenance.no_manifest");
}

TEST(Provenance, DatesAreNormalisedOrRefused) {
  EXPECT_EQ(NormaliseDate("2022-09-25"), "2022-09-25");
  EXPECT_EQ(NormaliseDate("2022-09-25T10:00:00Z"), "2022-09-25");
  EXPECT_EQ(NormaliseDate("2016-04"), "2016-04-01");
  EXPECT_FALSE(NormaliseDate("~2020-10"));
  EXPECT_FALSE(NormaliseDate("2016"));
  EXPECT_FALSE(NormaliseDate(""));
}

// The simulator marks its snapshots simulated, and the loader carries it.
TEST_F(SnapshotDir, ASimulatedSnapshotsProvenanceSaysSimulated) {
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->simulated);
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir_.string(), &s).ok());
  const auto p = nlohmann::json::parse(s.provenance);
  EXPECT_EQ(p["simulated"], true);
  EXPECT_EQ(p["inputs"][0]["input"], "mrt");
  EXPECT_EQ(p["inputs"][0]["source"], "simulated");
}

}  // namespace
}  // namespace vigia::snapshot
