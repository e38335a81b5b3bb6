// `vigia update` and `vigia daily` end to end (issue [2/7]): the built
// program against a mirror with the real archives' layouts
// (tests/acquire/make-mirror.sh, built once per test program) served by a
// real nginx on loopback, with the fault proxy (tests/acquire/fault_proxy.py)
// in front of it for the fault matrix; then `vigia analyze` and `vigia
// serve` over what was fetched. Each fault case prints a line of the fault
// matrix ("FAULT | ...") for the closing note.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "acquire/cache.h"
#include "acquire/test_servers.h"
#include "core/sha256.h"
#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

std::string ReadAll(const fs::path& p) { return test_util::ReadText(p); }

json ReadJson(const fs::path& p) { return json::parse(ReadAll(p), nullptr, false); }

using TempDir = test_util::ScopedTempDir;

// ---------------------------------------------------------------------------
// Without a mirror: the options, and what an absent source does to analyze.

TEST(UpdateCli, BadOptionsWriteNothing) {
  const TempDir tmp("vigia_update_opts_");
  const fs::path& dir = tmp.path;
  const std::string out = (dir / "snap").string();
  const std::string common = " --cache " + (dir / "cache").string() + " --out " + out;
  struct Case {
    std::string args, says;
  } cases[] = {
      {"--date 2024-13-01", "no such day"},
      {"--date 20240523", "want YYYY-MM-DD"},
      {"--date 2024-05-23 --sources ris,nosuch", "unknown source 'nosuch'"},
      {"--date 2024-05-23 --mirror nosuch=http://127.0.0.1:1", "--mirror nosuch: unknown source"},
      {"--date 2024-05-23 --mirror ris", "want NAME=URL"},
      {"--date 2024-05-23 --collectors nosuch=a", "--collectors nosuch: unknown source"},
      {"--date 2024-05-23 --window 10:00-09:00", "window"},
      {"--date 2024-05-23 --slurm /nonexistent/slurm.json", "--slurm"},
  };
  for (const Case& c : cases) {
    int status = 0;
    const std::string o = RunCommand(Vigia() + " update " + c.args + common + " 2>&1", &status);
    EXPECT_EQ(Exit(status), 2) << c.args << ": " << o;
    EXPECT_NE(o.find(c.says), std::string::npos) << c.args << ": " << o;
    EXPECT_FALSE(fs::exists(out)) << c.args;
    EXPECT_FALSE(fs::exists(out + ".partial")) << c.args;
  }
}

TEST(UpdateCli, HelpListsEverySource) {
  int status = 0;
  const std::string help = RunCommand(Vigia() + " update --help", &status);
  EXPECT_EQ(Exit(status), 0);
  const std::string list = RunCommand(Vigia() + " update --list-sources", &status);
  EXPECT_EQ(Exit(status), 0);
  for (const char* name : {"ris", "routeviews", "rpki", "irr", "caida", "peeringdb"}) {
    EXPECT_NE(help.find("  " + std::string(name) + " "), std::string::npos) << name << help;
    EXPECT_NE(list.find("  " + std::string(name) + " "), std::string::npos) << name << list;
  }
  EXPECT_NE(list.find("https://"), std::string::npos) << list;  // the default bases
}

// The manifest says the rpki source is absent: analyze marks the snapshot
// partial, and every AS's Action 4 (which needs the VRPs) has no data,
// where the intact snapshot scores them.
TEST(UpdateCli, AnAbsentSourceGivesNoDataInAnalyze) {
  const TempDir tmp("vigia_update_nodata_");
  const fs::path& dir = tmp.path;
  int status = 0;
  RunCommand(Vigia() + " simulate --seed 3 --ases 300 --prefixes 2000 --peers 4 --out " +
                 (dir / "snap").string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  auto analyze = [&](const std::string& db) {
    const std::string o =
        RunCommand(Vigia() + " analyze --json --db sqlite:" + (dir / db).string() + " " +
                       (dir / "snap").string(),
                   &status);
    return json::parse(o, nullptr, false);
  };
  const json intact = analyze("a.db");
  ASSERT_TRUE(intact.is_object());
  EXPECT_EQ(Exit(status), 0);
  EXPECT_FALSE(intact["partial"].get<bool>());
  json m = ReadJson(dir / "snap" / "manifest.json");
  m["sources"] = {{{"name", "ris"}, {"part", "mrt"}, {"status", "complete"}},
                  {{"name", "rpki"},
                   {"part", "rpki"},
                   {"status", "absent"},
                   {"reason", "vrps.json: HTTP 503 after 5 attempts"}}};
  std::ofstream(dir / "snap" / "manifest.json") << m.dump(1);
  const json partial = analyze("b.db");
  ASSERT_TRUE(partial.is_object());
  EXPECT_EQ(Exit(status), 1);
  EXPECT_TRUE(partial["partial"].get<bool>());
  bool said = false;
  for (const auto& x : partial["missing"])
    said |=
        x.get<std::string>() == "rpki/: source rpki absent: vrps.json: HTTP 503 after 5 attempts";
  EXPECT_TRUE(said) << partial["missing"].dump();
  bool note = false;
  for (const auto& x : partial["notes"])
    note |= x.get<std::string>().find("rpki/ is missing or damaged") != std::string::npos;
  EXPECT_TRUE(note) << partial["notes"].dump();
  const auto& a4 = partial["scores"]["action4"];
  EXPECT_EQ(a4["ready"].get<int>() + a4["aspiring"].get<int>() + a4["lagging"].get<int>(), 0)
      << a4.dump();
  EXPECT_GT(a4["no_data"].get<int>(), intact["scores"]["action4"]["no_data"].get<int>());
}

// ---------------------------------------------------------------------------
// Against the mirror: tests/acquire/make-mirror.sh (three dates), served by
// nginx; built once per test program, on first use.

constexpr const char* kDates[] = {"2024-05-21", "2024-05-22", "2024-05-23"};
// Two hours of each day: the 00:00 RIB dumps and 24 RIS, 8 RouteViews
// updates files per collector; small enough for a test, every source.
constexpr const char* kWindow = " --window 00:00-02:00";

struct Mirror {
  fs::path root;
  test_util::TestServer nginx;
  std::vector<std::string> sources;  // the mirror's top directories
  std::string skip;                  // why the mirror tests skip
};

Mirror* g_mirror = nullptr;

Mirror* TheMirror() {
  static Mirror* m = [] {
    auto* x = new Mirror;
    g_mirror = x;
    if (std::string why = test_util::NginxMissing(); !why.empty()) {
      x->skip = why;
      return x;
    }
    if (!test_util::HaveCommand("python3")) {
      x->skip = "python3 is missing (the fault proxy)";
      return x;
    }
    x->root = test_util::FreshTempDir("vigia_update_e2e_");
    std::string cmd = std::string(VIGIA_SOURCE_DIR) + "/tests/acquire/make-mirror.sh " +
                      (x->root / "mirror").string() + " " + Vigia();
    for (const char* d : kDates) cmd += std::string(" ") + d;
    int status = 0;
    const std::string out = RunCommand(cmd + " 2>&1", &status);
    if (Exit(status) != 0) {
      x->skip = "make-mirror.sh failed: " + out;
      return x;
    }
    for (const auto& e : fs::directory_iterator(x->root / "mirror")) {
      if (e.is_directory()) x->sources.push_back(e.path().filename().string());
    }
    std::sort(x->sources.begin(), x->sources.end());
    x->nginx = test_util::StartNginx(x->root / "mirror", x->root / "nginx");
    if (!x->nginx.ok()) x->skip = x->nginx.error();
    return x;
  }();
  return m;
}

// Stops nginx and removes the mirror when the program ends (also after a
// failed test).
class MirrorCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_mirror == nullptr) return;
    g_mirror->nginx.Stop();
    if (!g_mirror->root.empty()) fs::remove_all(g_mirror->root);
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new MirrorCleanup);

#define NEED_MIRROR()            \
  Mirror& mirror = *TheMirror(); \
  if (!mirror.skip.empty()) GTEST_SKIP() << mirror.skip

// Every source of the mirror at base_url (nginx or a proxy in front of it),
// with the mirror's collectors.
std::string MirrorArgs(const Mirror& m, const std::string& base_url) {
  std::string a;
  for (const std::string& s : m.sources) a += " --mirror " + s + "=" + base_url + "/" + s;
  return a + " --collectors ris=rrc00,rrc01 --collectors routeviews=route-views2";
}

// Quick retries for a loopback mirror: 50 ms first wait, stalls after 1 s
// under 1000 B/s (the proxy's trickle is 200 B/s).
constexpr const char* kFast =
    " --jobs 8 --per-host 8 --retries 2 --backoff 0.05 --stall 1 --low-speed 1000 --quiet";

struct UpdateRun {
  int exit = -1;
  json report;
  std::string output;
};

UpdateRun RunUpdate(const std::string& args) {
  UpdateRun r;
  int status = 0;
  r.output = RunCommand(Vigia() + " update --json" + args + " 2>/dev/null", &status);
  r.exit = Exit(status);
  r.report = json::parse(r.output, nullptr, false);
  return r;
}

const json* Outcome(const json& report, const std::string& dest_part) {
  for (const auto& f : report["file_outcomes"]) {
    if (f["dest"].get<std::string>().find(dest_part) != std::string::npos) return &f;
  }
  return nullptr;
}

const json* SourceOf(const json& report, const std::string& name) {
  for (const auto& s : report["sources"]) {
    if (s["name"] == name) return &s;
  }
  return nullptr;
}

std::map<std::string, std::string> ShaByPath(const fs::path& snap) {
  std::map<std::string, std::string> out;
  const json m = ReadJson(snap / "manifest.json");
  for (const auto& f : m["files"]) out[f["path"]] = f["sha256"];
  return out;
}

// A complete snapshot from the mirror: every source complete, every file in
// the manifest with its URL, size, SHA-256, fetch time and source date, and
// `vigia analyze` reads it with no damage. A second run takes every file
// from the cache.
TEST(UpdateE2e, ACompleteSnapshotFromTheMirror) {
  NEED_MIRROR();
  const TempDir tmp("vigia_update_full_");
  const fs::path& dir = tmp.path;
  const fs::path snap = dir / "snap";
  const std::string args = " --date 2024-05-22 --out " + snap.string() + " --cache " +
                           (dir / "cache").string() + MirrorArgs(mirror, mirror.nginx.url()) +
                           kWindow + kFast;
  const UpdateRun r = RunUpdate(args);
  ASSERT_EQ(r.exit, 0) << r.output;
  ASSERT_TRUE(r.report.is_object()) << r.output;
  EXPECT_TRUE(r.report["complete"].get<bool>());
  EXPECT_EQ(r.report["sources"].size(), mirror.sources.size());
  for (const auto& s : r.report["sources"]) {
    EXPECT_EQ(s["status"], "complete") << s.dump();
    EXPECT_GT(s["files"].get<int>(), 0) << s.dump();
  }
  EXPECT_FALSE(fs::exists(dir / "snap.partial"));
  const json m = ReadJson(snap / "manifest.json");
  EXPECT_EQ(m["format"], "vigia-snapshot/1");
  EXPECT_EQ(m["date"], "2024-05-22");
  EXPECT_EQ(m["simulated"], false);
  EXPECT_EQ(m["generator"]["name"], "vigia update");
  EXPECT_EQ(m["window"]["start"], "2024-05-22T00:00:00Z");
  EXPECT_EQ(m["window"]["end"], "2024-05-22T02:00:00Z");
  EXPECT_EQ(m["files"].size(), r.report["files"].get<size_t>());
  std::set<std::string> parts;
  for (const auto& f : m["files"]) {
    const std::string path = f["path"];
    parts.insert(path.substr(0, path.find('/')));
    ASSERT_TRUE(fs::is_regular_file(snap / path)) << path;
    // Read-only: the file is the cache's inode, which later dates reuse.
    EXPECT_EQ(fs::status(snap / path).permissions() & fs::perms::owner_write, fs::perms::none)
        << path;
    EXPECT_EQ(f["size"].get<uint64_t>(), fs::file_size(snap / path)) << path;
    EXPECT_EQ(f["sha256"], *Sha256File((snap / path).string())) << path;
    EXPECT_EQ(f["url"].get<std::string>().rfind(mirror.nginx.url() + "/", 0), 0u) << f.dump();
    EXPECT_EQ(f["fetched"].get<std::string>().size(), 20u) << f.dump();
    EXPECT_FALSE(f["source_date"].get<std::string>().empty()) << f.dump();
    EXPECT_FALSE(f["source"].get<std::string>().empty()) << f.dump();
  }
  EXPECT_EQ(parts, (std::set<std::string>{"extra", "irr", "mrt", "peeringdb", "registry", "rpki",
                                          "topology"}));
  const json* bview = nullptr;
  for (const auto& f : m["files"]) {
    if (f["path"] == "mrt/rrc00.bview.20240522.0000.gz") bview = &f;
  }
  ASSERT_NE(bview, nullptr);
  EXPECT_EQ((*bview)["url"], mirror.nginx.url() + "/ris/rrc00/2024.05/bview.20240522.0000.gz");
  EXPECT_EQ((*bview)["source_date"], "2024-05-22T00:00:00Z");

  int status = 0;
  const std::string a =
      RunCommand(Vigia() + " analyze --json --db sqlite:" + (dir / "v.db").string() + " " +
                     snap.string() + " 2>&1",
                 &status);
  EXPECT_EQ(Exit(status), 0) << a;
  const json aj = json::parse(a.substr(a.find('{')), nullptr, false);
  ASSERT_TRUE(aj.is_object()) << a;
  EXPECT_FALSE(aj["partial"].get<bool>()) << a;
  EXPECT_TRUE(aj["missing"].empty()) << a;
  EXPECT_GT(aj["rib_entries"].get<int>(), 0);

  const auto first_run = ShaByPath(snap);
  const UpdateRun again = RunUpdate(args);
  ASSERT_EQ(again.exit, 0) << again.output;
  EXPECT_EQ(again.report["from_cache"], again.report["files"]);
  EXPECT_EQ(ShaByPath(snap), first_run);
}

// The fault matrix: one fault of the proxy per case, in front of nginx.
struct FaultCase {
  const char* name;
  std::string rule;         // fault_proxy.py REGEX=MODE[:N]
  const char* sources;      // --sources
  const char* file;         // the destination the fault hits
  int want_exit;            // 0 complete, 1 partial
  const char* want_status;  // of the source
};

void PrintRow(const FaultCase& c, const UpdateRun& r, const json* f, const json* s) {
  std::printf(
      "FAULT | %-9s | %-44s | attempts %d%s | %s | %s %s%s\n", c.name, c.rule.c_str(),
      f ? (*f)["attempts"].get<int>() : -1, f && (*f)["resumed"].get<bool>() ? ", resumed" : "",
      f && (*f)["ok"].get<bool>()
          ? "file ok"
          : ("file failed: " + (f ? (*f)["error"].get<std::string>() : std::string("?"))).c_str(),
      s ? (*s)["name"].get<std::string>().c_str() : "?",
      s ? (*s)["status"].get<std::string>().c_str() : "?",
      r.exit == 0   ? ", snapshot complete"
      : r.exit == 1 ? ", snapshot partial"
                    : ", NO snapshot");
}

// gtest names the case, not its bytes.
void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class UpdateFaults : public ::testing::TestWithParam<FaultCase> {};

TEST_P(UpdateFaults, RetriedResumedOrHonestlyReported) {
  NEED_MIRROR();
  const FaultCase& c = GetParam();
  const TempDir tmp(std::string("vigia_update_fault_") + c.name + "_");
  const fs::path& dir = tmp.path;
  auto proxy = test_util::StartFaultProxy(mirror.nginx.url(), {c.rule}, dir / "proxy");
  ASSERT_TRUE(proxy.ok()) << proxy.error();
  const fs::path snap = dir / "snap";
  const UpdateRun r = RunUpdate(" --date 2024-05-22 --out " + snap.string() + " --cache " +
                                (dir / "cache").string() + " --sources " + c.sources +
                                MirrorArgs(mirror, proxy.url()) + " --window 00:00-00:30" + kFast);
  ASSERT_TRUE(r.report.is_object()) << r.output;
  const json* f = Outcome(r.report, c.file);
  ASSERT_NE(f, nullptr) << c.file;
  const std::string source = (*f)["source"];
  const json* s = SourceOf(r.report, source);
  ASSERT_NE(s, nullptr);
  PrintRow(c, r, f, s);
  EXPECT_EQ(r.exit, c.want_exit) << r.output;
  EXPECT_EQ((*s)["status"], c.want_status) << s->dump();
  // The snapshot is written either way; its manifest says the same.
  ASSERT_TRUE(fs::exists(snap / "manifest.json"));
  const json m = ReadJson(snap / "manifest.json");
  for (const auto& ms : m["sources"]) {
    if (ms["name"] == source) {
      EXPECT_EQ(ms["status"], c.want_status);
    }
  }
  const std::string name = c.name;
  const int attempts = (*f)["attempts"];
  if (c.want_exit == 0) {
    EXPECT_TRUE((*f)["ok"].get<bool>());
    EXPECT_TRUE(fs::exists(snap / (*f)["dest"].get<std::string>()));
  } else {
    EXPECT_FALSE((*f)["ok"].get<bool>());
    EXPECT_FALSE(fs::exists(snap / (*f)["dest"].get<std::string>()));
    // The reason names the file that failed.
    const std::string base = fs::path((*f)["dest"].get<std::string>()).filename().string();
    EXPECT_NE((*s)["reason"].get<std::string>().find(base), std::string::npos) << s->dump();
  }
  if (name == "drop") {
    EXPECT_TRUE((*f)["resumed"].get<bool>()) << f->dump();
    EXPECT_EQ(attempts, 2) << f->dump();
  } else if (name == "503") {
    EXPECT_EQ(attempts, 3) << f->dump();
  } else if (name == "404") {
    EXPECT_EQ(attempts, 1) << f->dump();  // a 404 is not retried
    EXPECT_NE((*f)["error"].get<std::string>().find("404"), std::string::npos) << f->dump();
  } else if (name == "trickle") {
    EXPECT_GE(attempts, 2) << f->dump();  // stalled, then retried
    EXPECT_TRUE((*f)["resumed"].get<bool>()) << f->dump();
  } else if (name == "truncate" || name == "checksum") {
    EXPECT_GE(attempts, 2) << f->dump();  // fetched again from zero, then reported
  } else if (name == "redirect") {
    const json stats = proxy.Stats();
    bool redirected = false;
    for (const auto& [path, n] : stats.items()) redirected |= path.rfind("/_r/", 0) == 0;
    EXPECT_TRUE(redirected) << stats.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, UpdateFaults,
    ::testing::Values(FaultCase{"drop", R"(rrc00/2024\.05/bview\.20240522\.0000\.gz=drop:1)", "ris",
                                "mrt/rrc00.bview.20240522.0000.gz", 0, "complete"},
                      FaultCase{"503", R"(rrc00/2024\.05/updates\.20240522\.0005\.gz=503:2)", "ris",
                                "mrt/rrc00.updates.20240522.0005.gz", 0, "complete"},
                      FaultCase{"404", R"(rrc01/2024\.05/updates\.20240522\.0010\.gz=404)", "ris",
                                "mrt/rrc01.updates.20240522.0010.gz", 1, "partial"},
                      FaultCase{"trickle", R"(rrc01/2024\.05/bview\.20240522\.0000\.gz=trickle:1)",
                                "ris", "mrt/rrc01.bview.20240522.0000.gz", 0, "complete"},
                      FaultCase{"truncate", R"(rrc00/2024\.05/bview\.20240522\.0000\.gz=truncate)",
                                "ris", "mrt/rrc00.bview.20240522.0000.gz", 1, "partial"},
                      FaultCase{"checksum", R"(delegated-ripencc-extended-20240522\.bz2$=corrupt)",
                                "rir-stats", "ripencc", 1, "partial"},
                      FaultCase{"redirect",
                                R"(rrc00/2024\.05/bview\.20240522\.0000\.gz=redirect:1)", "ris",
                                "mrt/rrc00.bview.20240522.0000.gz", 0, "complete"}),
    [](const ::testing::TestParamInfo<FaultCase>& i) {
      std::string n = i.param.name;
      return n == "503" ? std::string("http503") : n == "404" ? std::string("http404") : n;
    });

// Data with no public export comes from the operator: --local puts a
// MANRS list into extra/ (named so the loader knows it), --slurm a SLURM
// file into rpki/; both sources are then complete and the manifest names
// the local files by their names only.
TEST(UpdateE2e, LocalFilesForSourcesWithoutAnExport) {
  NEED_MIRROR();
  const TempDir tmp("vigia_update_local_");
  const fs::path& dir = tmp.path;
  std::ofstream(dir / "participants.csv") << "ASN,Organisation\n64496,Example\n";
  std::ofstream(dir / "local.slurm.json")
      << R"({"slurmVersion": 1, "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": []},
            "locallyAddedAssertions": {"prefixAssertions": [{"asn": 64496, "prefix": "198.51.100.0/24"}],
                                       "bgpsecAssertions": []}})";
  const fs::path snap = dir / "snap";
  const UpdateRun r = RunUpdate(" --date 2024-05-22 --out " + snap.string() + " --cache " +
                                (dir / "cache").string() +
                                " --sources rpki,manrs --mirror rpki=" + mirror.nginx.url() +
                                "/rpki --local manrs=" + (dir / "participants.csv").string() +
                                " --slurm " + (dir / "local.slurm.json").string() + kFast);
  ASSERT_EQ(r.exit, 0) << r.output;
  EXPECT_EQ((*SourceOf(r.report, "manrs"))["status"], "complete") << r.output;
  EXPECT_EQ((*SourceOf(r.report, "rpki"))["status"], "complete") << r.output;
  EXPECT_TRUE(fs::is_regular_file(snap / "extra" / "manrs-participants.csv"));
  EXPECT_TRUE(fs::is_regular_file(snap / "rpki" / "local.slurm.json"));
  const json m = ReadJson(snap / "manifest.json");
  EXPECT_EQ(m["generator"]["options"]["local"]["manrs"], json::array({"participants.csv"}));
  EXPECT_EQ(m["generator"]["options"]["slurm"], json::array({"local.slurm.json"}));
  // An unknown source or a missing file is refused before anything is written.
  const UpdateRun bad =
      RunUpdate(" --date 2024-05-22 --out " + (dir / "bad").string() + " --cache " +
                (dir / "cache").string() +
                " --sources manrs --local nosuch=" + (dir / "participants.csv").string() + kFast);
  EXPECT_EQ(bad.exit, 2);
  EXPECT_FALSE(fs::exists(dir / "bad"));
}

// kill -9 of `vigia update` in the middle of a transfer (the proxy
// trickles the first request for a RIB dump), then the same command again:
// it resumes that file with a Range request and ends with the same files,
// byte for byte, as a run that was never interrupted.
TEST(UpdateE2e, KillNineThenRerunResumes) {
  NEED_MIRROR();
  const TempDir tmp("vigia_update_kill_");
  const fs::path& dir = tmp.path;
  const std::string target = "rrc00/2024.05/bview.20240522.0000.gz";
  auto proxy = test_util::StartFaultProxy(
      mirror.nginx.url(), {R"(rrc00/2024\.05/bview\.20240522\.0000\.gz=trickle:1)"}, dir / "proxy");
  ASSERT_TRUE(proxy.ok()) << proxy.error();
  const fs::path snap = dir / "snap", cache = dir / "cache";
  const std::string args = " --date 2024-05-22 --out " + snap.string() + " --cache " +
                           cache.string() + " --sources ris" + MirrorArgs(mirror, proxy.url()) +
                           " --window 00:00-00:30 --jobs 8 --per-host 8 --backoff 0.05 --quiet";
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec " + Vigia() + " update" + args + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until some of the trickled file is in the cache's .part.
  uintmax_t part = 0;
  for (int i = 0; i < 200 && part < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(cache, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code e2;
      if (it->path().extension() == ".part") part = std::max(part, it->file_size(e2));
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "vigia update ended before it was killed";
  ASSERT_GE(part, 400u) << "no partial download to resume";
  EXPECT_FALSE(fs::exists(snap)) << "nothing is under OUT until the rename";

  const UpdateRun r = RunUpdate(args);
  ASSERT_EQ(r.exit, 0) << r.output;
  const json* f = Outcome(r.report, "rrc00.bview.20240522.0000.gz");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE((*f)["resumed"].get<bool>()) << f->dump();
  // nginx saw the Range request the rerun sent for the rest of the file.
  bool range = false;
  for (const std::string& line : mirror.nginx.AccessLog()) {
    range |= line.find(target) != std::string::npos && line.find("\"bytes=") != std::string::npos;
  }
  EXPECT_TRUE(range) << "no Range request for " << target;

  // An uninterrupted run, straight from nginx, into a cache of its own.
  const UpdateRun clean =
      RunUpdate(" --date 2024-05-22 --out " + (dir / "clean").string() + " --cache " +
                (dir / "cache2").string() + " --sources ris" +
                MirrorArgs(mirror, mirror.nginx.url()) + " --window 00:00-00:30" + kFast);
  ASSERT_EQ(clean.exit, 0) << clean.output;
  const auto a = ShaByPath(snap), b = ShaByPath(dir / "clean");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  std::printf(
      "KILL9 | killed with %ju bytes of %s in the cache's .part | rerun: resumed (Range "
      "seen by nginx), %zu files, same sha256s as an uninterrupted run\n",
      part, target.c_str(), a.size());
}

// `vigia daily` over three dates from the mirror into a SQLite store;
// `vigia serve` then shows three snapshots and a trend; a second run skips
// every date; --keep 2 prunes the oldest snapshot and its cache objects.
TEST(DailyE2e, ThreeDatesServedSkippedAndPruned) {
  NEED_MIRROR();
  const TempDir tmp("vigia_daily_e2e_");
  const fs::path& dir = tmp.path;
  const std::string db = "sqlite:" + (dir / "vigia.db").string();
  const std::string args = " --db " + db + " --data " + (dir / "data").string() + " --from " +
                           kDates[0] + " --to " + kDates[2] +
                           MirrorArgs(mirror, mirror.nginx.url()) + kWindow + kFast;
  int status = 0;
  const std::string out = RunCommand(Vigia() + " daily --json" + args + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json j = json::parse(out.substr(out.find('{')), nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  ASSERT_EQ(j["days"].size(), 3u);
  std::set<int64_t> ids;
  for (size_t i = 0; i < 3; ++i) {
    const json& d = j["days"][i];
    EXPECT_EQ(d["date"], kDates[i]);
    EXPECT_EQ(d["action"], "stored") << d.dump();
    EXPECT_FALSE(d["partial"].get<bool>()) << d.dump();
    ids.insert(d["snapshot"].get<int64_t>());
    std::printf("DAILY | %s | snapshot %lld | %zu files | update %.2f s | analyze %.2f s\n",
                kDates[i], static_cast<long long>(d["snapshot"].get<int64_t>()),
                d["update"]["files"].get<size_t>(), d["update_seconds"].get<double>(),
                d["analyze_seconds"].get<double>());
    EXPECT_TRUE(fs::exists(dir / "data" / "snapshots" / kDates[i] / "manifest.json"));
  }
  EXPECT_EQ(ids.size(), 3u);

  // vigia serve: three snapshots, and a trend of three points.
  int port = 0;
  const pid_t serve =
      test_util::StartVigia("serve --db " + db + " --listen 127.0.0.1:0", dir / "serve.out", &port);
  ASSERT_GT(port, 0) << ReadAll(dir / "serve.out.err");
  const json snaps = json::parse(test_util::LoopbackGet(port, "/api/snapshots"), nullptr, false);
  const json group = json::parse(test_util::LoopbackGet(port, "/api/group/all"), nullptr, false);
  ::kill(serve, SIGTERM);
  ::waitpid(serve, &status, 0);
  ASSERT_TRUE(snaps.is_array()) << snaps.dump();
  ASSERT_EQ(snaps.size(), 3u);
  std::set<std::string> dates;
  for (const auto& s : snaps) {
    dates.insert(s["date"].get<std::string>());
    EXPECT_FALSE(s["partial"].get<bool>());
  }
  EXPECT_EQ(dates, (std::set<std::string>{kDates[0], kDates[1], kDates[2]}));
  ASSERT_TRUE(group.is_object()) << group.dump();
  ASSERT_EQ(group["history"].size(), 3u) << group.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(group["history"][i]["date"], kDates[i]);
    EXPECT_TRUE(group["history"][i]["overall"].is_number()) << group["history"][i].dump();
  }
  std::printf("DAILY | trend (group all, overall): %s\n", group["history"].dump().c_str());

  // Again: every date is in the store, nothing is fetched.
  const std::string again = RunCommand(Vigia() + " daily" + args + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 0) << again;
  for (const char* d : kDates)
    EXPECT_NE(again.find(std::string(d) + " skipped"), std::string::npos) << again;

  // --keep 2: the oldest snapshot directory goes, with the cache objects
  // only it used.
  const json old = ReadJson(dir / "data" / "snapshots" / kDates[0] / "manifest.json");
  const json kept = ReadJson(dir / "data" / "snapshots" / kDates[2] / "manifest.json");
  acquire::Cache cache((dir / "data" / "cache").string());
  // A file of the oldest date only (the undated files, IRR dumps and the
  // like, are shared by every date, and stay).
  std::set<std::string> kept_urls;
  for (const char* d : {kDates[1], kDates[2]}) {
    const json m = ReadJson(dir / "data" / "snapshots" / d / "manifest.json");
    for (const auto& f : m["files"]) kept_urls.insert(f["url"].get<std::string>());
  }
  std::string old_url, shared_url;
  for (const auto& f : old["files"]) {
    const std::string u = f["url"];
    (kept_urls.count(u) ? shared_url : old_url) = u;
  }
  ASSERT_FALSE(old_url.empty());
  ASSERT_FALSE(shared_url.empty());
  ASSERT_TRUE(cache.Lookup(old_url).has_value()) << old_url;
  const std::string pruned =
      RunCommand(Vigia() + " daily --json --keep 2" + args + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 0) << pruned;
  const json pj = json::parse(pruned.substr(pruned.find('{')), nullptr, false);
  ASSERT_TRUE(pj.is_object()) << pruned;
  ASSERT_EQ(pj["pruned_snapshots"].size(), 1u) << pruned;
  EXPECT_GT(pj["pruned_cache_files"].get<int>(), 0);
  EXPECT_FALSE(fs::exists(dir / "data" / "snapshots" / kDates[0]));
  EXPECT_TRUE(fs::exists(dir / "data" / "snapshots" / kDates[1]));
  EXPECT_FALSE(cache.Lookup(old_url).has_value()) << old_url;
  EXPECT_TRUE(cache.Lookup(shared_url).has_value()) << shared_url;
  for (const auto& f : kept["files"]) EXPECT_TRUE(cache.Lookup(f["url"]).has_value()) << f["url"];
  std::printf("DAILY | second run: 3 dates skipped | --keep 2: pruned %s and %d cache files\n",
              kDates[0], pj["pruned_cache_files"].get<int>());
}

}  // namespace
}  // namespace vigia
