// `vigia collect` as a process: a BMP capture replayed into files that
// `vigia mrt dump` and `vigia analyze` read with the same routes the BMP
// feed decodes from the capture; kill -9 in the middle of writing leaves
// no partial file under a final name and a restart rebuilds the RIB from
// the files (its next dump equals them, nothing written is rewritten);
// BIRD 2 peering the passive speaker: the MRT written equals `birdc show
// route export`, after withdrawals too; a raw BGP capture and a RIS Live
// file give the routes their feeds decode. Skips when the vigia binary, the shared data
// or BIRD is absent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bgp/test_builders.h"
#include "bmp/message.h"
#include "bmp/pcap_tcp.h"
#include "bmp/route_feed.h"
#include "bmp/test_builders.h"
#include "collect/mrt_archive.h"
#include "collect/test_util.h"
#include "core/test_daemon.h"
#include "core/test_util.h"
#include "live/bgp_capture.h"
#include "live/ris_live.h"
#include "live/test_bird.h"
#include "mrt/reader.h"

namespace vigia::collect {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bgp::test::Attr;
using bgp::test::Bytes;
using bgp::test::Cat;
using bgp::test::IpBytes;
using bgp::test::Put16;
using bgp::test::Put32;
using bgp::test::U16;
using bgp::test::WithHeader;
using bmp::test::Msg;
using bmp::test::PeerHeader;

using test_util::Daemon;
using test_util::FreePort;
using test_util::Shell;
using test_util::WaitFor;

// The archive files under dir with final names, in replay order.
std::vector<std::string> FinalFiles(const fs::path& dir, bool ribs, bool updates) {
  std::vector<std::pair<std::pair<uint64_t, int>, std::string>> v;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_directory() && it->path().filename().string()[0] == '.') {
      it.disable_recursion_pending();
      continue;
    }
    ArchiveName n;
    if (!it->is_regular_file() || !ParseArchiveName(it->path().filename().string(), &n)) continue;
    if ((n.rib && ribs) || (!n.rib && updates)) v.push_back({{n.key, n.n}, it->path().string()});
  }
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (auto& [k, p] : v) out.push_back(p);
  return out;
}

// Problems the MRT reader finds in a file: none for a complete one.
std::vector<std::string> ReadProblems(const std::string& path) {
  std::vector<std::string> out;
  auto r = mrt::MrtReader::Open(path);
  if (!r.ok()) return {r.status().message()};
  (*r)->set_problem_handler([&](const mrt::Problem& p) { out.push_back(p.message); });
  mrt::Record rec;
  while ((*r)->Next(&rec)) {
  }
  if (!(*r)->stream_status().ok()) out.push_back((*r)->stream_status().message());
  return out;
}

class CollectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(test_util::Vigia())) GTEST_SKIP() << "needs the vigia binary";
  }
};

// ------------------------------------------------------------- replay

const char* kCiscoRd = "/bmp/pmacct-test-automation/201-BMP-CISCO-rd_instance.pcap";

// (peer address, AS, prefix, AS path) of every route, one per RIB view.
std::multiset<std::string> RoutesOfCapture(const std::string& pcap) {
  struct Sink : bgp::RouteSink {
    std::map<bgp::PeerHandle, std::string> names;
    std::map<std::tuple<bgp::PeerHandle, std::string, uint32_t>, std::string> routes;
    void Peer(bgp::PeerHandle h, const bgp::PeerInfo& i) override {
      names[h] = i.ip.ToString() + "|" + std::to_string(i.asn);
    }
    void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
      routes[{r.peer, r.prefix.ToString(), r.path_id}] =
          names[r.peer] + "|" + r.prefix.ToString() + "|" + a.as_path.ToString();
    }
    void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override {
      routes.erase({r.peer, r.prefix.ToString(), r.path_id});
    }
    void SessionDown(bgp::PeerHandle p, bgp::RouteTime) override {
      std::erase_if(routes, [p](const auto& kv) { return std::get<0>(kv.first) == p; });
    }
  } sink;
  auto cap = bmp::ReadPcapTcpFile(pcap);
  EXPECT_TRUE(cap.ok());
  bmp::BmpRouteFeed feed("direct");
  for (const auto& s : cap->streams) {
    if (s.data.empty() || s.data[0] != 3) continue;
    (void)feed.FeedStream(s.data, s.src, "capture", &sink);
    if (s.saw_fin) feed.RouterDown(s.src, {}, &sink);
  }
  std::multiset<std::string> out;
  for (auto& [k, v] : sink.routes) out.insert(v);
  return out;
}

TEST_F(CollectCli, ReplaysTheCiscoRdCaptureIntoFilesMrtDumpAndAnalyzeRead) {
  if (!test_util::HaveSharedData(kCiscoRd))
    GTEST_SKIP() << "needs " << test_util::SharedData() << kCiscoRd;
  const std::string pcap = test_util::SharedData() + kCiscoRd;
  test_util::ScopedTempDir dir("collect-cisco");
  int status = 0;
  const std::string out = Shell(test_util::Vigia() + " collect --pcap " + pcap + " --out " +
                                    dir.path.string() + " --layout snapshot --name rrc77 --json",
                                &status);
  ASSERT_EQ(test_util::Exit(status), 0) << out;
  const auto ribs = FinalFiles(dir.path, true, false);
  const auto updates = FinalFiles(dir.path, false, true);
  ASSERT_EQ(ribs.size(), 1u) << out;
  ASSERT_EQ(updates.size(), 1u) << out;
  // `vigia mrt dump` of the dump: the routes the BMP feed decodes.
  const std::multiset<std::string> want = RoutesOfCapture(pcap);
  ASSERT_FALSE(want.empty());
  const std::string dump = Shell(test_util::Vigia() + " mrt dump " + ribs[0], &status);
  ASSERT_EQ(test_util::Exit(status), 0) << dump;
  std::multiset<std::string> got;
  for (const std::string& line : test_util::Lines(dump)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, '|');) f.push_back(x);
    ASSERT_GE(f.size(), 7u) << line;
    got.insert(f[3] + "|" + f[4] + "|" + f[5] + "|" + f[6]);
  }
  EXPECT_EQ(got, want);
  // The updates file alone gives the same routes.
  const std::string udump = Shell(test_util::Vigia() + " mrt dump " + updates[0], &status);
  ASSERT_EQ(test_util::Exit(status), 0);
  EXPECT_EQ(test_util::Lines(udump).size(), want.size());
  // `vigia analyze` reads the directory as a snapshot.
  const std::string an = Shell(test_util::Vigia() + " analyze " + dir.path.string() +
                                   " --db sqlite:" + (dir.path / "a.db").string() + " --json",
                               &status);
  ASSERT_EQ(test_util::Exit(status), 0) << an;
  EXPECT_NE(an.find("\"rib_entries\": " + std::to_string(want.size())), std::string::npos) << an;
  std::printf("[figures] Cisco RD capture: %zu routes replayed, dump == BMP decode\n", want.size());
}

TEST_F(CollectCli, HelpAndBadArgumentsFailWithAClearError) {
  test_util::ScopedTempDir dir("collect-args");
  int status = 0;
  const std::string help = Shell(test_util::Vigia() + " collect --help", &status);
  EXPECT_EQ(test_util::Exit(status), 0);
  EXPECT_NE(help.find("Usage"), std::string::npos) << help;
  EXPECT_NE(help.find("--rib-every"), std::string::npos) << help;
  std::string out = Shell(test_util::Vigia() + " collect", &status);
  EXPECT_EQ(test_util::Exit(status), 2) << out;
  out = Shell(test_util::Vigia() + " collect --ris-live " + (dir.path / "absent.json").string() +
                  " --out " + dir.path.string(),
              &status);
  EXPECT_EQ(test_util::Exit(status), 2) << out;
  EXPECT_NE(out.find("absent.json"), std::string::npos) << out;
  out =
      Shell(test_util::Vigia() + " collect --pcap " + (dir.path / "absent.pcap").string(), &status);
  EXPECT_EQ(test_util::Exit(status), 2) << out;
  EXPECT_NE(out.find("absent.pcap"), std::string::npos) << out;
  out = Shell(test_util::Vigia() + " collect --bgp 127.0.0.1:0", &status);
  EXPECT_EQ(test_util::Exit(status), 2) << out;
  EXPECT_NE(out.find("--asn"), std::string::npos) << out;
  out = Shell(test_util::Vigia() + " collect --bmp 127.0.0.1:0 --rotate 5x", &status);
  EXPECT_EQ(test_util::Exit(status), 2) << out;
  EXPECT_NE(out.find("--rotate 5x"), std::string::npos) << out;
}

// The routes of a replay written by `vigia collect --out`, read back.
test::Recorder CollectAndReadBack(const std::string& args, const fs::path& out, int* exit_code,
                                  std::string* log) {
  int status = 0;
  *log = Shell(test_util::Vigia() + " collect " + args + " --out " + out.string() + " --json",
               &status);
  *exit_code = test_util::Exit(status);
  return test::ReadBack(FinalFiles(out, false, true));
}

const char* kBgpCapture = "/bmp/pmacct-test-automation/300-BGP-IPv6-CISCO-extNH_enc.pcap";

// The capture's session carries VPN routes only (SAFI 128, RFC 4364, with
// RFC 8950 IPv6 next hops): the archive keeps the unicast tables, so it
// counts them and writes no route (and invents none).
TEST_F(CollectCli, ReplaysARawBgpCaptureAndCountsItsVpnRoutesWithoutArchivingThem) {
  if (!test_util::HaveSharedData(kBgpCapture))
    GTEST_SKIP() << "needs " << test_util::SharedData() << kBgpCapture;
  const std::string pcap = test_util::SharedData() + kBgpCapture;
  // The routes straight from the capture (live/bgp_capture.h).
  struct Count : bgp::RouteSink {
    size_t unicast = 0, labeled = 0;
    void Peer(bgp::PeerHandle, const bgp::PeerInfo&) override {}
    void Announce(const bgp::Route& r, const bgp::PathAttributes&) override {
      ++(r.safi == bgp::kSafiUnicast && r.rd == 0 ? unicast : labeled);
    }
    void Withdraw(const bgp::Route&, bgp::WithdrawCause) override {}
    void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}
  } direct;
  auto cap = bmp::ReadPcapTcpFile(pcap);
  ASSERT_TRUE(cap.ok());
  ASSERT_TRUE(live::FeedBgpPcap(*cap, pcap, &direct).ok());
  ASSERT_GT(direct.labeled, 0u);
  test_util::ScopedTempDir dir("collect-bgppcap");
  int code = 0;
  std::string log;
  const auto back = CollectAndReadBack("--pcap " + pcap, dir.path, &code, &log);
  EXPECT_EQ(code, 0) << log;
  EXPECT_NE(log.find("\"announces\": " + std::to_string(direct.unicast + direct.labeled)),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"not_unicast\": " + std::to_string(direct.labeled)), std::string::npos)
      << log;
  EXPECT_EQ(back.routes.size(), direct.unicast);
  const auto ribs = FinalFiles(dir.path, true, false);
  ASSERT_EQ(ribs.size(), 1u) << log;
  EXPECT_EQ(test::ReadBack(ribs).routes.size(), direct.unicast);
  std::printf("[figures] raw BGP capture: %zu VPN routes counted, %zu unicast archived\n",
              direct.labeled, direct.unicast);
}

TEST_F(CollectCli, ReplaysARisLiveFileIntoTheRoutesItsMessagesCarried) {
  test_util::ScopedTempDir dir("collect-rislive");
  const fs::path json = dir.path / "ris.jsonl";
  {
    std::ofstream f(json);
    auto msg = [&](const std::string& data) {
      f << R"({"type":"ris_message","data":{)" << data << "}}\n";
    };
    const std::string p1 = R"("host":"rrc00","peer":"192.0.2.1","peer_asn":"65001",)";
    const std::string p2 = R"("host":"rrc00","peer":"2001:db8::2","peer_asn":"65002",)";
    const std::string p3 = R"("host":"rrc01","peer":"198.51.100.3","peer_asn":"65003",)";
    msg(R"("timestamp":1700000000.25,)" + p1 +
        R"("type":"UPDATE","path":[65001,64500],"origin":"IGP","community":[[65001,7]],)"
        R"("announcements":[{"next_hop":"192.0.2.1","prefixes":["10.0.0.0/8","10.1.0.0/16","10.2.0.0/16"]}],"withdrawals":[])");
    msg(R"("timestamp":1700000001.5,)" + p2 +
        R"("type":"UPDATE","path":[65002,[64510,64511]],"origin":"INCOMPLETE","med":5,)"
        R"("announcements":[{"next_hop":"2001:db8::2,fe80::2","prefixes":["2001:db8:100::/48"]}])");
    msg(R"("timestamp":1700000002,)" + p3 +
        R"("type":"UPDATE","path":[65003,64500],"origin":"IGP",)"
        R"("announcements":[{"next_hop":"198.51.100.3","prefixes":["10.0.0.0/8"]}])");
    f << "not json at all\n";
    msg(R"("timestamp":1700000003,)" + p1 + R"("type":"UPDATE","withdrawals":["10.1.0.0/16"])");
    msg(R"("timestamp":1700000004,)" + p3 + R"("type":"RIS_PEER_STATE","state":"down")");
  }
  test::Recorder direct;
  ASSERT_TRUE(live::FeedRisLiveFile(json.string(), &direct).ok());
  ASSERT_EQ(direct.routes.size(), 3u);
  int code = 0;
  std::string log;
  const auto back =
      CollectAndReadBack("--ris-live " + json.string(), dir.path / "out", &code, &log);
  EXPECT_EQ(code, 1) << log;  // the line that is not JSON
  EXPECT_NE(log.find("\"problems\": 1"), std::string::npos) << log;
  EXPECT_EQ(back.routes, direct.routes) << log;
  EXPECT_EQ(back.session_downs, 1u);
}

// ------------------------------------------------------------- kill -9

Bytes Initiation() {
  Bytes tlv;
  Put16(&tlv, bmp::kInfoSysName);
  Put16(&tlv, 2);
  tlv.push_back('r');
  tlv.push_back('1');
  return Msg(bmp::kInitiation, tlv);
}
Bytes Announce(const char* peer, uint32_t as, uint32_t origin, int from, int n) {
  const Bytes path = Cat({Bytes{2, 2}, bgp::test::U32(as), bgp::test::U32(origin)});
  Bytes attrs = Cat({Attr(bgp::test::kWellKnown, bgp::kAttrOrigin, {0}),
                     Attr(bgp::test::kWellKnown, bgp::kAttrAsPath, path),
                     Attr(bgp::test::kWellKnown, bgp::kAttrNextHop, IpBytes(peer))});
  Bytes nlri;
  for (int i = from; i < from + n; ++i) {  // 10.X.Y.0/24 (RFC 4271 §4.3)
    for (int b : {24, 10, (i >> 8) & 255, i & 255}) nlri.push_back(static_cast<uint8_t>(b));
  }
  return Msg(
      bmp::kRouteMonitoring,
      Cat({PeerHeader(peer, as),
           WithHeader(2, Cat({U16(0), U16(static_cast<uint32_t>(attrs.size())), attrs, nlri}))}));
}

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
bool SendAll(int fd, const Bytes& b) {
  size_t off = 0;
  while (off < b.size()) {
    const ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

TEST_F(CollectCli, KilledMidWriteLeavesNoPartialFileAndARestartRebuildsTheRib) {
  test_util::ScopedTempDir dir("collect-kill");
  const fs::path out = dir.path / "out";
  const uint16_t port = static_cast<uint16_t>(FreePort());
  Daemon c({test_util::Vigia(), "collect", "--bmp", "127.0.0.1:" + std::to_string(port), "--out",
            out.string(), "--rotate", "1s", "--rib-every", "1d", "--status-every", "0"},
           dir.path / "collect.log");
  int fd = -1;
  ASSERT_TRUE(WaitFor([&] { return (fd = Connect(port)) >= 0; }, 30s))
      << test_util::ReadText(dir.path / "collect.log");
  ASSERT_TRUE(SendAll(fd, Initiation()));
  // First batch, then wait for a complete update file.
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(SendAll(fd, Announce("192.0.2.7", 65007, 64500, i * 50, 50)));
  ASSERT_TRUE(WaitFor([&] { return !FinalFiles(out, false, true).empty(); }, 30s))
      << test_util::ReadText(dir.path / "collect.log");
  // A stream of replacements; killed while it writes.
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (int round = 0; !stop; ++round)
      if (!SendAll(fd, Announce("192.0.2.7", 65007, 64501 + round, (round % 20) * 50, 50))) break;
  });
  // Killed once a second update file is complete (a fixed sleep is not enough
  // under ASan on a loaded machine: the flood can delay the rotation).
  const bool rotated = WaitFor([&] { return FinalFiles(out, true, true).size() >= 2; }, 30s);
  std::this_thread::sleep_for(300ms);  // into the third file
  c.Kill();
  stop = true;
  sender.join();
  ::close(fd);
  // Every file under a final name is whole; the temporaries are all in .tmp/.
  const auto written = FinalFiles(out, true, true);
  ASSERT_TRUE(rotated) << test_util::ReadText(dir.path / "collect.log");
  ASSERT_GE(written.size(), 2u);
  for (const auto& f : written) EXPECT_EQ(ReadProblems(f), std::vector<std::string>{}) << f;
  for (auto& e : fs::recursive_directory_iterator(out)) {
    if (!e.is_regular_file()) continue;
    ArchiveName n;
    EXPECT_TRUE(ParseArchiveName(e.path().filename().string(), &n) ||
                e.path().parent_path().filename() == ".tmp")
        << e.path();
  }
  // The file being written when the kill came is there, under .tmp/ only.
  ASSERT_TRUE(fs::exists(out / ".tmp") && !fs::is_empty(out / ".tmp"));
  std::map<std::string, std::string> contents;
  for (const auto& f : written) contents[f] = test_util::ReadText(f);
  const test::Routes state = test::ReadBack(written).routes;
  ASSERT_EQ(state.size(), 1000u);

  // The restart: state from the files, a dump equal to it, nothing rewritten.
  const uint16_t port2 = static_cast<uint16_t>(FreePort());
  int status = 0;
  const std::string json =
      Shell(test_util::Vigia() + " collect --bmp 127.0.0.1:" + std::to_string(port2) + " --out " +
                out.string() + " --rotate 1s --rib-every 1s --duration 2.5 --status-every 0 --json",
            &status);
  ASSERT_EQ(test_util::Exit(status), 0) << json;
  EXPECT_NE(json.find("\"rib_entries\": 1000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"removed_tmp\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"restored_files\": " + std::to_string(written.size())), std::string::npos)
      << json;
  const auto ribs = FinalFiles(out, true, false);
  ASSERT_FALSE(ribs.empty()) << json;
  EXPECT_EQ(test::ReadBack({ribs.back()}).routes, state);
  for (const auto& [f, text] : contents) EXPECT_EQ(test_util::ReadText(f), text) << f;
  EXPECT_FALSE(fs::exists(out / ".tmp") && !fs::is_empty(out / ".tmp"));
  std::printf("[figures] kill -9: %zu whole files, %zu routes restored, dump equal\n",
              written.size(), state.size());
}

// ------------------------------------------------------------- BIRD 2

class CollectBird : public CollectCli {
 protected:
  void SetUp() override {
    CollectCli::SetUp();
    if (IsSkipped()) return;
    if (!live::test::HaveBird())
      GTEST_SKIP() << "needs BIRD 2 (/usr/sbin/bird, birdc; Debian bird2, scripts/setup.sh)";
    dir_ = test_util::FreshTempDir("collect_bird");
  }
  void TearDown() override {
    bird_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void StartBird(uint16_t speaker_port, const std::vector<std::string>& v4,
                 const std::vector<std::string>& v6) {
    if (!bird_port_) bird_port_ = FreePort();
    bird_ = live::test::StartBird(dir_, bird_port_, speaker_port, v4, v6);
  }
  std::set<std::string> BirdExport() { return live::test::BirdExport(dir_); }
  fs::path dir_;
  int bird_port_ = 0;
  std::unique_ptr<Daemon> bird_;
};

std::vector<std::string> Many4(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i)
    v.push_back("10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
  return v;
}
std::vector<std::string> Many6(int n) {
  std::vector<std::string> v;
  char buf[64];
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "2001:db8:%x::/48", 0x100 + i);
    v.push_back(buf);
  }
  return v;
}

std::set<std::string> Prefixes(const test::Routes& r) {
  std::set<std::string> out;
  for (const auto& [k, v] : r) out.insert(std::get<1>(k));
  return out;
}

TEST_F(CollectBird, TheMrtWrittenEqualsBirdsExportAfterWithdrawalsToo) {
  const fs::path out = dir_ / "out";
  const uint16_t port = static_cast<uint16_t>(FreePort());
  const fs::path log = dir_ / "collect.log";
  Daemon c({test_util::Vigia(), "collect", "--bgp", "127.0.0.1:" + std::to_string(port), "--asn",
            "65000", "--out", out.string(), "--rotate", "2s", "--rib-every", "1d", "--status-every",
            "0.5"},
           log);
  ASSERT_TRUE(WaitFor(
      [&] { return test_util::ReadText(log).find("BGP speaker on port") != std::string::npos; },
      10s));
  StartBird(port, Many4(300), Many6(150));
  auto routes_line = [&](size_t n) {
    return test_util::ReadText(log).find("routes " + std::to_string(n) + ",") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return routes_line(450); }, 30s)) << test_util::ReadText(log);
  const auto first = BirdExport();
  ASSERT_EQ(first.size(), 450u);
  // Withdrawals: BIRD restarted with fewer routes (graceful restart: the
  // stale ones are withdrawn after End-of-RIB, RFC 4724 §4.2).
  bird_->Kill();
  StartBird(port, Many4(200), Many6(100));
  ASSERT_TRUE(WaitFor([&] { return routes_line(300) && BirdExport().size() == 300; }, 30s))
      << test_util::ReadText(log);
  const auto second = BirdExport();
  ASSERT_EQ(c.Terminate(10s), 0) << test_util::ReadText(log);
  const auto files = FinalFiles(out, true, true);
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) EXPECT_EQ(ReadProblems(f), std::vector<std::string>{}) << f;
  const auto back = test::ReadBack(files);
  EXPECT_EQ(Prefixes(back.routes), second) << "MRT written == birdc show route export";
  EXPECT_TRUE(back.problems.empty()) << back.problems.front();
  // Every route from AS 65001 with BIRD's ADD-PATH identifier.
  for (const auto& [k, v] : back.routes) {
    EXPECT_EQ(std::get<0>(k), "127.0.0.2 AS65001");
    EXPECT_NE(std::get<2>(k), 0u) << std::get<1>(k);
    EXPECT_EQ(v.substr(0, 6), "65001|") << v;
  }
  std::printf("[figures] BIRD via vigia collect: %zu then %zu routes, MRT == birdc export\n",
              first.size(), second.size());
}

}  // namespace
}  // namespace vigia::collect
