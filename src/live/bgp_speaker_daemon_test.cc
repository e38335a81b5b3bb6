// The passive BGP speaker peered with real routers on loopback: BIRD 2 and
// ExaBGP 4.2, started by the test with their own ports, configs and logs
// in a fresh temp dir, killed (process group) by destructors. The routes
// the speaker's sink holds are compared with the router's own view
// (`birdc show route export`, ExaBGP's announced set), after withdrawals,
// a session flap with graceful restart and a hold-timer expiry (SIGSTOP).
// Skips when the daemon is not installed (scripts/setup.sh installs both).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/test_daemon.h"
#include "core/test_util.h"
#include "live/bgp_speaker.h"
#include "live/test_bird.h"
#include "live/test_recorder.h"

namespace vigia::live {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test_util::Daemon;
using test_util::FreePort;
using test_util::Shell;
using test_util::WaitFor;

// The speaker on 127.0.0.1:<any>, driven by a thread of its own.
class SpeakerThread {
 public:
  explicit SpeakerThread(Asn asn) {
    SpeakerConfig c;
    c.local_asn = asn;
    c.hold_time = 90;
    speaker_ = std::make_unique<BgpSpeaker>(c, &sink);
    ok = speaker_->Listen("127.0.0.1:0").ok();
    port = speaker_->port();
    thread_ = std::thread([this] {
      while (!stop_) (void)speaker_->RunOnce(50);
    });
  }
  ~SpeakerThread() {
    stop_ = true;
    thread_.join();
  }
  test::RouteRecorder sink;
  bool ok = false;
  uint16_t port = 0;

 private:
  std::unique_ptr<BgpSpeaker> speaker_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---- BIRD 2 ----

class BirdPeer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::HaveBird()) {
      GTEST_SKIP() << "needs BIRD 2 (/usr/sbin/bird, birdc; Debian bird2, scripts/setup.sh)";
    }
    dir_ = test_util::FreshTempDir("speaker_bird");
  }
  void TearDown() override {
    bird_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void StartBird(uint16_t speaker_port, const std::vector<std::string>& v4,
                 const std::vector<std::string>& v6) {
    if (!bird_port_) bird_port_ = FreePort();
    bird_ = test::StartBird(dir_, bird_port_, speaker_port, v4, v6);
  }
  std::set<std::string> BirdExport() { return test::BirdExport(dir_); }

  std::string Diagnose(const test::RouteRecorder& sink) {
    std::string out = "speaker holds " + std::to_string(sink.Count()) + " routes; problems:\n";
    for (const auto& p : sink.problems()) out += "  " + p + "\n";
    out += "birdc:\n";
    out += test::Birdc(dir_, "show protocols all vigia");
    return out + "bird.log:\n" + test_util::ReadText(dir_ / "bird.log");
  }

  fs::path dir_;
  int bird_port_ = 0;
  std::unique_ptr<Daemon> bird_;
};

// n IPv4 /24s from 10.100.0.0 and IPv6 /48s from 2001:db8:100::.
std::vector<std::string> Many4(int from, int n) {
  std::vector<std::string> v;
  for (int i = from; i < from + n; ++i) {
    v.push_back("10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
  }
  return v;
}
std::vector<std::string> Many6(int from, int n) {
  std::vector<std::string> v;
  char buf[64];
  for (int i = from; i < from + n; ++i) {
    std::snprintf(buf, sizeof buf, "2001:db8:%x::/48", 0x100 + i);
    v.push_back(buf);
  }
  return v;
}
const std::vector<std::string> kBird4 = Many4(0, 300);
const std::vector<std::string> kBird6 = Many6(0, 150);

std::set<std::string> Union(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string> s(a.begin(), a.end());
  s.insert(b.begin(), b.end());
  return s;
}

TEST_F(BirdPeer, SinkEqualsBirdExportThroughFlapAndHoldTimerExpiry) {
  SpeakerThread sp(65000);
  ASSERT_TRUE(sp.ok);
  StartBird(sp.port, kBird4, kBird6);
  const std::set<std::string> want = Union(kBird4, kBird6);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 20s))
      << "BIRD's routes did not arrive; " << Diagnose(sp.sink);
  EXPECT_EQ(sp.sink.Prefixes(), BirdExport()) << "speaker's view == birdc show route export";
  std::printf("[figures] BIRD initial: v4 %zu v6 %zu routes compared, equal\n", kBird4.size(),
              kBird6.size());
  // One path, with BIRD's RFC 7911 path identifier (ADD-PATH tx), origin AS 65001.
  const auto paths = sp.sink.Paths("10.100.0.0/24");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_NE(paths.begin()->first, 0u) << "ADD-PATH negotiated: BIRD sends a path identifier";
  EXPECT_EQ(paths.begin()->second, 65001u);
  for (const auto& prefix : want) {
    const auto all = sp.sink.Paths(prefix);
    ASSERT_EQ(all.size(), 1u) << prefix;
    EXPECT_EQ(all.begin()->second, 65001u) << prefix;
  }

  // Withdrawals: BIRD reconfigured with one route fewer per family.
  const std::vector<std::string> less4 = Many4(0, 200);
  const std::vector<std::string> less6 = Many6(0, 100);
  {
    bird_->Kill();  // a flap: GR keeps the routes stale meanwhile
    ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 1s));
    EXPECT_EQ(sp.sink.session_downs(), 0u) << "graceful restart: no session down";
    StartBird(sp.port, less4, less6);
    // After End-of-RIB the stale routes BIRD no longer has are withdrawn.
    ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == Union(less4, less6); }, 20s))
        << Diagnose(sp.sink);
    EXPECT_EQ(sp.sink.Prefixes(), BirdExport());
    EXPECT_EQ(sp.sink.session_downs(), 0u);
    std::printf("[figures] BIRD after flap + withdrawals: v4 %zu v6 %zu routes compared, equal\n",
                less4.size(), less6.size());
  }

  // Hold-timer expiry: BIRD frozen, the speaker's 3 s hold timer fires,
  // 4/0 goes out and the routes are dropped (no GR after a NOTIFICATION).
  bird_->SignalGroup(SIGSTOP);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Count() == 0; }, 10s));
  EXPECT_EQ(sp.sink.session_downs(), 1u);
  bird_->SignalGroup(SIGCONT);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == Union(less4, less6); }, 30s))
      << "BIRD did not come back after SIGCONT";
  EXPECT_EQ(sp.sink.Prefixes(), BirdExport());
  std::printf("[figures] BIRD after hold-timer expiry and reconnect: v4 %zu v6 %zu equal\n",
              less4.size(), less6.size());

  // Gone for good: the stale routes are flushed after BIRD's 3 s restart time.
  bird_->Kill();
  EXPECT_EQ(sp.sink.Count(), less4.size() + less6.size()) << "kept stale at first";
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Count() == 0; }, 10s));
  EXPECT_EQ(sp.sink.session_downs(), 2u);
}

// ---- ExaBGP 4.2 ----

class ExabgpPeer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/sbin/exabgp", X_OK) != 0) {
      GTEST_SKIP() << "needs ExaBGP 4.2 (/usr/sbin/exabgp; Debian exabgp, scripts/setup.sh)";
    }
    dir_ = test_util::FreshTempDir("speaker_exabgp");
    fifo_path_ = dir_ / "api.fifo";
    ASSERT_EQ(::mkfifo(fifo_path_.c_str(), 0600), 0);
    // Held open read-write so that the API process never sees end of file.
    fifo_ = ::open(fifo_path_.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fifo_, 0);
  }
  void TearDown() override {
    exabgp_.reset();
    if (fifo_ >= 0) ::close(fifo_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // ExaBGP as AS 65002 from 127.0.0.3 with static routes, ADD-PATH send,
  // graceful restart 3 s, hold time 3 s, and an API process reading the
  // test's FIFO.
  void StartExabgp(uint16_t speaker_port, const std::vector<std::string>& v4,
                   const std::vector<std::string>& v6) {
    std::ofstream c(dir_ / "exabgp.conf");
    c << "process ctl {\n  run /bin/cat " << fifo_path_.string() << ";\n  encoder text;\n}\n"
      << "neighbor 127.0.0.1 {\n  router-id 10.0.0.3;\n  local-address 127.0.0.3;\n"
      << "  local-as 65002;\n  peer-as 65000;\n  hold-time 3;\n"
      << "  family {\n    ipv4 unicast;\n    ipv6 unicast;\n  }\n"
      << "  capability {\n    add-path send;\n    graceful-restart 3;\n    route-refresh;\n  }\n"
      << "  api {\n    processes [ ctl ];\n  }\n  static {\n";
    for (const auto& p : v4) c << "    route " << p << " next-hop 127.0.0.3;\n";
    for (const auto& p : v6) c << "    route " << p << " next-hop 2001:db8::3;\n";
    c << "  }\n}\n";
    c.close();
    exabgp_ = std::make_unique<Daemon>(
        std::vector<std::string>{"/usr/sbin/exabgp", (dir_ / "exabgp.conf").string()},
        dir_ / "exabgp.log",
        std::vector<std::string>{"exabgp_tcp_port=" + std::to_string(speaker_port),
                                 "exabgp_tcp_bind=", "exabgp_daemon_user=root",
                                 "exabgp_daemon_daemonize=false", "exabgp_api_cli=false",
                                 "exabgp_log_destination=stdout",
                                 "exabgp_daemon_pid=" + (dir_ / "exabgp.pid").string()});
  }

  void Api(const std::string& line) {
    const std::string l = line + "\n";
    ASSERT_EQ(::write(fifo_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
  }

  std::string Diagnose(const test::RouteRecorder& sink) {
    std::string out = "speaker holds " + std::to_string(sink.Count()) + " routes:";
    for (const auto& p : sink.Prefixes()) out += " " + p;
    out += "\nproblems:\n";
    for (const auto& p : sink.problems()) out += "  " + p + "\n";
    return out + "exabgp.log:\n" + test_util::ReadText(dir_ / "exabgp.log");
  }

  fs::path dir_, fifo_path_;
  int fifo_ = -1;
  std::unique_ptr<Daemon> exabgp_;
};

TEST_F(ExabgpPeer, SinkEqualsAnnouncedSetThroughApiChangesFlapAndHoldTimerExpiry) {
  SpeakerThread sp(65000);
  ASSERT_TRUE(sp.ok);
  const std::vector<std::string> static4 = {"10.2.0.0/24", "10.2.1.0/24"};
  const std::vector<std::string> static6 = {"2001:db8:20::/48"};
  StartExabgp(sp.port, static4, static6);
  std::set<std::string> want = Union(static4, static6);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 30s)) << Diagnose(sp.sink);
  EXPECT_EQ(sp.sink.Paths("10.2.0.0/24").begin()->second, 65002u);
  std::printf("[figures] ExaBGP static: v4 %zu v6 1 routes compared, equal\n", static4.size());

  // Announce and withdraw through the API while running.
  Api("announce route 10.2.5.0/24 next-hop 127.0.0.3");
  Api("announce route 10.2.6.0/24 next-hop 127.0.0.3");
  Api("announce route 2001:db8:25::/48 next-hop 2001:db8::3");
  Api("withdraw route 10.2.1.0/24 next-hop 127.0.0.3");
  want = {"10.2.0.0/24", "10.2.5.0/24", "10.2.6.0/24", "2001:db8:20::/48", "2001:db8:25::/48"};
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 15s)) << Diagnose(sp.sink);
  Api("withdraw route 2001:db8:20::/48 next-hop 2001:db8::3");
  Api("withdraw route 10.2.6.0/24 next-hop 127.0.0.3");
  want = {"10.2.0.0/24", "10.2.5.0/24", "2001:db8:25::/48"};
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 15s)) << Diagnose(sp.sink);
  std::printf("[figures] ExaBGP after API announce/withdraw: v4 2 v6 1 routes compared, equal\n");

  // Flap: ExaBGP killed (GR keeps the routes stale) and restarted with its
  // static routes only; after its End-of-RIB the API-announced ones, now
  // stale, are withdrawn.
  exabgp_->Kill();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sp.sink.Prefixes(), want) << "stale routes kept during the restart";
  EXPECT_EQ(sp.sink.session_downs(), 0u);
  StartExabgp(sp.port, static4, static6);
  want = Union(static4, static6);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Prefixes() == want; }, 30s)) << Diagnose(sp.sink);
  EXPECT_EQ(sp.sink.session_downs(), 0u);
  std::printf("[figures] ExaBGP after flap (GR, End-of-RIB): v4 %zu v6 1 routes compared, equal\n",
              static4.size());

  // Hold-timer expiry: ExaBGP frozen; 3 s later the speaker sends 4/0 and
  // the routes go.
  exabgp_->SignalGroup(SIGSTOP);
  ASSERT_TRUE(WaitFor([&] { return sp.sink.Count() == 0; }, 10s)) << Diagnose(sp.sink);
  EXPECT_EQ(sp.sink.session_downs(), 1u);
  const auto problems = sp.sink.problems();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.back().find("sent NOTIFICATION 4/0"), std::string::npos) << Diagnose(sp.sink);
  exabgp_->Kill();
}

}  // namespace
}  // namespace vigia::live
