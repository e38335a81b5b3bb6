// `vigia watch` and `vigia watch init` as commands (the built binary):
// --help, --dry-run, errors with file:line:column and exit status 2, init
// on real data read back as a config, and a run without a reference
// snapshot that replays a real MRT file (`collector.mrt_replay`) and stops
// after --duration with its --json status.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace vigia::watch {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int status = -1;
  std::string out;
};

Ran Vigia(const std::string& args) {
  Ran r;
  const std::string cmd = std::string(VIGIA_BINARY_DIR) + "/vigia " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

class WatchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access((std::string(VIGIA_BINARY_DIR) + "/vigia").c_str(), X_OK) != 0)
      GTEST_SKIP() << "needs the vigia binary";
    dir_ = fs::temp_directory_path() / ("vigia_watch_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(WatchCli, HelpDryRunAndErrors) {
  Ran h = Vigia("watch --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(h.out.find("init"), std::string::npos);
  EXPECT_EQ(Vigia("watch init --help").status, 0);

  std::ofstream(dir_ / "ok.yml") << "prefixes: {192.0.2.0/24: {origins: [64500]}}\n";
  Ran d = Vigia("watch --config " + (dir_ / "ok.yml").string() + " --dry-run");
  ASSERT_EQ(d.status, 0) << d.out;
  const auto j = nlohmann::json::parse(d.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << d.out;
  EXPECT_EQ(j["prefixes"][0]["prefix"], "192.0.2.0/24");

  std::ofstream(dir_ / "bad.yml") << "asns: [1]\nmonitor:\n  min_peers: lots\n";
  Ran b = Vigia("watch --config " + (dir_ / "bad.yml").string());
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.out.find("bad.yml:3:14:"), std::string::npos) << b.out;
  Ran m = Vigia("watch --config " + (dir_ / "absent.yml").string());
  EXPECT_EQ(m.status, 2);
  EXPECT_NE(m.out.find("absent.yml: cannot open"), std::string::npos) << m.out;
  EXPECT_EQ(Vigia("watch").status, 2);
  EXPECT_EQ(Vigia("watch init").status, 2);  // --asn is required
}

TEST_F(WatchCli, InitOnRealDataThenReplayWithoutReference) {
  const std::string data = VIGIA_SHARED_DATA;
  const std::string rib = data + "/mrt/bgpdump-testdata/bview.20020722.2337.gz";
  const std::string upd = data + "/mrt/bgpdump-testdata/updates.20020722.2238.gz";
  if (!fs::exists(rib) || !fs::exists(upd)) GTEST_SKIP() << "needs " << rib << " and " << upd;
  Ran i = Vigia("watch init --asn 3320 --rib " + rib + " --out " + (dir_ / "w.yml").string() +
                " --json");
  ASSERT_EQ(i.status, 0) << i.out;
  const auto summary = nlohmann::json::parse(i.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << i.out;
  EXPECT_EQ(summary["rib_prefixes"], 249);  // bgpdump -m | awk: 249 (init_test.cc)

  // The generated config, with the replay and a file channel in the temp dir.
  std::ifstream in(dir_ / "w.yml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto replace = [&](const std::string& a, const std::string& b) {
    const size_t at = yaml.find(a);
    ASSERT_NE(at, std::string::npos) << a;
    yaml.replace(at, a.size(), b);
  };
  replace("  bmp: 127.0.0.1:1790\n",
          "  bmp: 127.0.0.1:0\n  mrt_replay: [" + rib + ", " + upd + "]\n");
  replace("path: vigia-alerts.jsonl", "path: " + (dir_ / "alerts.jsonl").string());
  replace("state_file: vigia-watch-state.json", "state_file: " + (dir_ / "state.json").string());
  std::ofstream(dir_ / "run.yml") << yaml;
  Ran w = Vigia("watch --config " + (dir_ / "run.yml").string() +
                " --duration 1 --json --status-every 0");
  ASSERT_EQ(w.status, 0) << w.out;
  const size_t at = w.out.rfind("\n{\"alerts\"");
  ASSERT_NE(at, std::string::npos) << w.out;
  const auto st = nlohmann::json::parse(w.out.substr(at + 1, w.out.find('\n', at + 1) - at - 1),
                                        nullptr, false);
  ASSERT_FALSE(st.is_discarded()) << w.out;
  // Every RIB entry and update of the two files went through the detector.
  EXPECT_GT(st["detector"]["announces"].get<uint64_t>(), 115'000u) << st.dump();
  EXPECT_TRUE(fs::exists(dir_ / "state.json"));
}

}  // namespace
}  // namespace vigia::watch
