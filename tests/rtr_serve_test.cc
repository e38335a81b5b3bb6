// `vigia rtr serve` end to end: the built program on its own loopback port,
// synced by real routers' RTR clients (rtrlib's rtrclient, BIRD 2, GoBGP)
// and by Vigía's own (`vigia rpki fetch`, versions 0, 1 and 2), before and
// after the VRP file changes; SLURM, the store as a source, and hostile
// clients. Each test starts and stops its own processes (own process
// groups, killed in destructors) and skips when a daemon is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/test_socket.h"
#include "core/test_util.h"
#include "rpki/rtr_pdu.h"
#include "rpki/slurm.h"
#include "rpki/stayrtr_process.h"
#include "rpki/vrp.h"
#include "store/store.h"

namespace vigia {
namespace {

using namespace std::chrono_literals;
using test_util::HaveCommand;
using test_util::ReadText;
using test_util::Vigia;
using VrpStrings = std::set<std::string>;  // "192.0.2.0/24-24 AS64496"

std::string Key(const std::string& prefix, int max, uint32_t asn) {
  return prefix + "-" + std::to_string(max) + " AS" + std::to_string(asn);
}

// A child process in its own process group, stdout and stderr to `log`;
// killed (TERM, then KILL) and reaped when the object goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      if (!std::freopen(log.c_str(), "w", stdout)) _exit(126);
      dup2(STDOUT_FILENO, STDERR_FILENO);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() { Stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void Signal(int sig) {
    if (pid_ > 0) kill(-pid_, sig);
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return cond();
}

// Writes through a rename, as an RP tool does, so no reader sees half a file.
void Put(const std::filesystem::path& path, const std::string& text) {
  {
    std::ofstream out(path.string() + ".new");
    out << text;
  }
  std::filesystem::rename(path.string() + ".new", path);
}

struct TestVrp {
  std::string prefix;
  int max;
  uint32_t asn;
};

std::string VrpJson(const std::vector<TestVrp>& vrps, const std::string& aspas = "") {
  std::string j = "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"}, \"roas\": [";
  for (size_t i = 0; i < vrps.size(); ++i) {
    j += (i ? ", " : "") + std::string("{\"asn\": ") + std::to_string(vrps[i].asn) +
         ", \"prefix\": \"" + vrps[i].prefix + "\", \"maxLength\": " + std::to_string(vrps[i].max) +
         ", \"ta\": \"test\"}";
  }
  j += "]";
  if (!aspas.empty()) j += ", \"aspas\": " + aspas;
  return j + "}";
}

VrpStrings Strings(const std::vector<TestVrp>& vrps) {
  VrpStrings s;
  for (const TestVrp& v : vrps) s.insert(Key(v.prefix, v.max, v.asn));
  return s;
}

// What a file holds, as Vigía loads it (SLURM applied).
VrpStrings FileSet(const std::string& path, const std::string& slurm = "") {
  rpki::VrpSet set;
  EXPECT_TRUE(set.LoadFile(path).ok());
  if (!slurm.empty()) {
    auto s = rpki::Slurm::LoadFile(slurm);
    EXPECT_TRUE(s.ok());
    if (s.ok()) s.value().Apply(&set);
  }
  VrpStrings out;
  for (const rpki::Vrp& v : set.vrps()) out.insert(Key(v.prefix.ToString(), v.max_length, v.asn));
  return out;
}

const std::vector<TestVrp> kFirst = {{"192.0.2.0/24", 24, 64496},
                                     {"198.51.100.0/22", 24, 64497},
                                     {"203.0.113.0/24", 24, 64498},
                                     {"2001:db8::/32", 48, 64499},
                                     {"2001:db8:1000::/36", 36, 64500}};
const std::vector<TestVrp> kSecond = {
    {"192.0.2.0/24", 24, 64496},  {"198.51.100.0/22", 23, 64497},    {"203.0.113.0/24", 24, 64510},
    {"2001:db8::/32", 48, 64499}, {"2001:db8:2000::/36", 40, 64501}, {"10.0.0.0/8", 16, 64502}};
const char kAspas[] = R"([{"customer_asid": 64496, "providers": [64510, 64511]}])";

// `vigia rtr serve ARGS --listen 127.0.0.1:0` with its port.
class RtrServe {
 public:
  RtrServe(const std::filesystem::path& dir, const std::string& args) : log_(dir / "serve.log") {
    std::vector<std::string> argv = {
        "/bin/sh", "-c", "exec " + Vigia() + " rtr serve " + args + " --listen 127.0.0.1:0"};
    child_ = std::make_unique<Child>(argv, log_.string());
    const std::string mark = "vigia: rtr listening on 127.0.0.1:";
    WaitFor(
        [&] {
          const std::string text = ReadText(log_);
          const size_t at = text.find(mark);
          if (at != std::string::npos) port_ = std::stoi(text.substr(at + mark.size()));
          return port_ != 0;
        },
        10s);
  }
  int port() const { return port_; }
  std::string log() const { return ReadText(log_); }
  Child& child() { return *child_; }

 private:
  std::filesystem::path log_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

class RtrServeTest : public ::testing::Test {
 protected:
  RtrServeTest()
      : dir_("vigia_rtr_serve_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_") {}
  std::filesystem::path Path(const std::string& name) const { return dir_.path / name; }
  test_util::ScopedTempDir dir_;
};

// ---------------------------------------------------------------- rtrclient

// rtrlib's rtrclient -p prints "+ PREFIX LEN - MAX ASN" and "- ..." lines
// as records arrive; the set it holds is their sum.
VrpStrings RtrclientSet(const std::string& out) {
  VrpStrings s;
  static const std::regex line(R"(^([+-]) (\S+)\s+(\d+) -\s+(\d+)\s+(\d+)\s*$)");
  for (const std::string& l : test_util::Lines(out)) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    const std::string k = Key(m[2].str() + "/" + m[3].str(), std::stoi(m[4]),
                              static_cast<uint32_t>(std::stoul(m[5])));
    if (m[1] == "+") {
      s.insert(k);
    } else {
      s.erase(k);
    }
  }
  return s;
}

TEST_F(RtrServeTest, RtrclientEndsWithTheFileSetAndFollowsChangesIncrementally) {
  if (!HaveCommand("rtrclient")) GTEST_SKIP() << "rtrclient (rtr-tools) is not installed";
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  Child client(
      {"stdbuf", "-oL", "rtrclient", "-p", "tcp", "127.0.0.1", std::to_string(serve.port())},
      Path("rtrclient.out").string());
  const auto out = [&] { return ReadText(Path("rtrclient.out")); };
  EXPECT_TRUE(WaitFor([&] { return RtrclientSet(out()) == Strings(kFirst); }, 10s)) << out();
  Put(Path("vrps.json"), VrpJson(kSecond));
  EXPECT_TRUE(WaitFor([&] { return RtrclientSet(out()) == Strings(kSecond); }, 10s)) << out();
  // One connection: the change came as a Serial Notify and a delta.
  const std::string log = serve.log();
  EXPECT_NE(log.find("data changed, serial 1"), std::string::npos) << log;
  EXPECT_EQ(log.find("closed"), std::string::npos) << log;
  EXPECT_NE(out().find("- 203.0.113.0"), std::string::npos);
}

TEST_F(RtrServeTest, RtrclientExportEqualsARealVrpFile) {
  const std::string real =
      test_util::SharedData() + "/rpki/samples/afrinic-roas-validator-export.csv";
  if (!std::filesystem::exists(real)) GTEST_SKIP() << "shared data absent: " << real;
  if (!HaveCommand("rtrclient")) GTEST_SKIP() << "rtrclient (rtr-tools) is not installed";
  RtrServe serve(dir_.path, "--vrps " + real);
  ASSERT_NE(serve.port(), 0) << serve.log();
  const std::string csv = Path("export.csv").string();
  int status = 0;
  test_util::RunCommand("timeout 30 rtrclient -e -t csv -o " + csv + " tcp 127.0.0.1 " +
                            std::to_string(serve.port()) + " >/dev/null 2>&1",
                        &status);
  ASSERT_EQ(test_util::Exit(status), 0);
  VrpStrings got;
  for (const std::string& l : test_util::Lines(ReadText(csv))) {
    // "198.51.100.0, 22, 24, 64497"
    std::stringstream ss(l);
    std::string addr, len, max, asn;
    if (!std::getline(ss, addr, ',') || !std::getline(ss, len, ',') ||
        !std::getline(ss, max, ',') || !std::getline(ss, asn, ',')) {
      continue;
    }
    got.insert(Key(addr + "/" + std::to_string(std::stoi(len)), std::stoi(max),
                   static_cast<uint32_t>(std::stoul(asn))));
  }
  const VrpStrings want = FileSet(real);
  EXPECT_GT(want.size(), 4000u);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

TEST_F(RtrServeTest, SlurmFiltersAndAssertionsReachTheRouters) {
  if (!HaveCommand("rtrclient")) GTEST_SKIP() << "rtrclient (rtr-tools) is not installed";
  Put(Path("vrps.json"), VrpJson(kFirst));
  Put(Path("local.slurm.json"), R"({"slurmVersion": 1,
    "validationOutputFilters": {"prefixFilters": [{"prefix": "203.0.113.0/24"}, {"asn": 64499}],
                                "bgpsecFilters": []},
    "locallyAddedAssertions": {"prefixAssertions": [
        {"asn": 64511, "prefix": "198.18.0.0/15", "maxPrefixLength": 16}],
      "bgpsecAssertions": []}})");
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --slurm " +
                                Path("local.slurm.json").string());
  ASSERT_NE(serve.port(), 0) << serve.log();
  Child client(
      {"stdbuf", "-oL", "rtrclient", "-p", "tcp", "127.0.0.1", std::to_string(serve.port())},
      Path("rtrclient.out").string());
  const VrpStrings want = {Key("192.0.2.0/24", 24, 64496), Key("198.51.100.0/22", 24, 64497),
                           Key("2001:db8:1000::/36", 36, 64500), Key("198.18.0.0/15", 16, 64511)};
  EXPECT_EQ(want, FileSet(Path("vrps.json"), Path("local.slurm.json")));
  EXPECT_TRUE(WaitFor([&] { return RtrclientSet(ReadText(Path("rtrclient.out"))) == want; }, 10s))
      << ReadText(Path("rtrclient.out"));
}

TEST_F(RtrServeTest, SighupReloadsAtOnce) {
  if (!HaveCommand("rtrclient")) GTEST_SKIP() << "rtrclient (rtr-tools) is not installed";
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 3600");
  ASSERT_NE(serve.port(), 0) << serve.log();
  Child client(
      {"stdbuf", "-oL", "rtrclient", "-p", "tcp", "127.0.0.1", std::to_string(serve.port())},
      Path("rtrclient.out").string());
  const auto set = [&] { return RtrclientSet(ReadText(Path("rtrclient.out"))); };
  ASSERT_TRUE(WaitFor([&] { return set() == Strings(kFirst); }, 10s));
  Put(Path("vrps.json"), VrpJson(kSecond));
  serve.child().Signal(SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return set() == Strings(kSecond); }, 10s)) << serve.log();
}

// ---------------------------------------------------------------- BIRD 2

// `birdc show route table rN` lines: "192.0.2.0/24-24 AS64496  [rpki1 ...] * (100)".
VrpStrings BirdSet(const std::string& socket) {
  VrpStrings s;
  static const std::regex line(R"(^(\S+)/(\d+)-(\d+) AS(\d+)\s)");
  for (const char* table : {"r4", "r6"}) {
    const std::string out = test_util::RunCommand("timeout 10 birdc -s " + socket +
                                                  " show route table " + table + " 2>/dev/null");
    for (const std::string& l : test_util::Lines(out)) {
      std::smatch m;
      if (std::regex_search(l, m, line)) {
        s.insert(Key(m[1].str() + "/" + m[2].str(), std::stoi(m[3]),
                     static_cast<uint32_t>(std::stoul(m[4]))));
      }
    }
  }
  return s;
}

TEST_F(RtrServeTest, Bird2RpkiProtocolEndsWithTheSetAndFollowsChanges) {
  if (!std::filesystem::exists("/usr/sbin/bird") || !HaveCommand("birdc")) {
    GTEST_SKIP() << "BIRD 2 (/usr/sbin/bird, birdc) is not installed";
  }
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  std::ofstream(Path("bird.conf")) << "router id 192.0.2.1;\n"
                                      "roa4 table r4;\nroa6 table r6;\n"
                                      "protocol device { }\n"
                                      "protocol rpki rpki1 {\n"
                                      "  roa4 { table r4; };\n  roa6 { table r6; };\n"
                                      "  remote 127.0.0.1 port "
                                   << serve.port()
                                   << ";\n"
                                      "  retry keep 1;\n  refresh keep 60;\n  expire keep 600;\n"
                                      "}\n";
  const std::string sock = Path("bird.ctl").string();
  Child bird({"/usr/sbin/bird", "-f", "-c", Path("bird.conf").string(), "-s", sock, "-P",
              Path("bird.pid").string()},
             Path("bird.log").string());
  EXPECT_TRUE(WaitFor([&] { return BirdSet(sock) == Strings(kFirst); }, 15s))
      << ReadText(Path("bird.log")) << serve.log();
  Put(Path("vrps.json"), VrpJson(kSecond));
  // Within BIRD's 60 s refresh only a Serial Notify can bring it this soon.
  EXPECT_TRUE(WaitFor([&] { return BirdSet(sock) == Strings(kSecond); }, 15s)) << serve.log();
  const std::string proto =
      test_util::RunCommand("timeout 10 birdc -s " + sock + " show protocols all rpki1");
  EXPECT_NE(proto.find("Serial number:    1"), std::string::npos) << proto;
}

// ---------------------------------------------------------------- GoBGP

// `gobgp rpki table` lines: "192.0.2.0/24       24     64496      127.0.0.1:PORT".
VrpStrings GobgpSet(int api_port) {
  VrpStrings s;
  static const std::regex line(R"(^(\S+/\d+)\s+(\d+)\s+(\d+)\s)");
  for (const char* afi : {"ipv4", "ipv6"}) {
    const std::string out =
        test_util::RunCommand("timeout 10 gobgp -u 127.0.0.1 -p " + std::to_string(api_port) +
                              " rpki table -a " + afi + " 2>/dev/null");
    for (const std::string& l : test_util::Lines(out)) {
      std::smatch m;
      if (std::regex_search(l, m, line)) {
        s.insert(Key(m[1].str(), std::stoi(m[2]), static_cast<uint32_t>(std::stoul(m[3]))));
      }
    }
  }
  return s;
}

TEST_F(RtrServeTest, GobgpEndsWithTheSetAndFollowsChanges) {
  if (!HaveCommand("gobgpd") || !HaveCommand("gobgp")) GTEST_SKIP() << "GoBGP is not installed";
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  const int api = rpki::test::FreeLoopbackPort();
  std::ofstream(Path("gobgp.toml")) << "[global.config]\n  as = 64512\n  router-id = "
                                       "\"192.0.2.2\"\n  port = -1\n"
                                       "[[rpki-servers]]\n  [rpki-servers.config]\n"
                                       "    address = \"127.0.0.1\"\n    port = "
                                    << serve.port() << "\n";
  Child gobgpd({"gobgpd", "-f", Path("gobgp.toml").string(), "-t", "toml", "--api-hosts",
                "127.0.0.1:" + std::to_string(api)},
               Path("gobgpd.log").string());
  EXPECT_TRUE(WaitFor([&] { return GobgpSet(api) == Strings(kFirst); }, 15s))
      << ReadText(Path("gobgpd.log")) << serve.log();
  Put(Path("vrps.json"), VrpJson(kSecond));
  EXPECT_TRUE(WaitFor([&] { return GobgpSet(api) == Strings(kSecond); }, 15s)) << serve.log();
}

// ---------------------------------------------------------------- Vigía's client

// `vigia rpki fetch --version N` (rpki/rtr_client.h) writes what it synced
// as rpki-client JSON; that file loads back to the served set.
void FetchWithVersion(const std::filesystem::path& dir, int version) {
  Put(dir / "vrps.json", VrpJson(kFirst, kAspas));
  RtrServe serve(dir, "--vrps " + (dir / "vrps.json").string());
  ASSERT_NE(serve.port(), 0) << serve.log();
  const std::string out = (dir / "fetched.json").string();
  int status = 0;
  const std::string said = test_util::RunCommand(
      "timeout 30 " + Vigia() + " rpki fetch --rtr 127.0.0.1:" + std::to_string(serve.port()) +
          " --out " + out + " --version " + std::to_string(version) + " 2>&1",
      &status);
  ASSERT_EQ(test_util::Exit(status), 0) << said;
  EXPECT_NE(said.find("version " + std::to_string(version)), std::string::npos) << said;
  EXPECT_EQ(FileSet(out), Strings(kFirst));
  rpki::VrpSet fetched;
  ASSERT_TRUE(fetched.LoadFile(out).ok());
  if (version >= 2) {
    ASSERT_EQ(fetched.aspas().size(), 1u);
    EXPECT_EQ(*fetched.aspas().Providers(64496), (std::vector<Asn>{64510, 64511}));
  } else {
    EXPECT_EQ(fetched.aspas().size(), 0u);  // ASPA is version 2 only
  }
}

TEST_F(RtrServeTest, VigiaClientVersion0) { FetchWithVersion(dir_.path, 0); }
TEST_F(RtrServeTest, VigiaClientVersion1) { FetchWithVersion(dir_.path, 1); }
TEST_F(RtrServeTest, VigiaClientVersion2WithAspa) { FetchWithVersion(dir_.path, 2); }

TEST_F(RtrServeTest, VigiaClientFollowsAFileChange) {
  Put(Path("vrps.json"), VrpJson(kFirst, kAspas));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  const std::string out = Path("fetched.json").string();
  Child fetch({Vigia(), "rpki", "fetch", "--rtr", "127.0.0.1:" + std::to_string(serve.port()),
               "--out", out, "--follow", "30"},
              Path("fetch.log").string());
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(out); }, 10s));
  EXPECT_EQ(FileSet(out), Strings(kFirst));
  Put(Path("vrps.json"), VrpJson(kSecond, R"([{"customer_asid": 64496, "providers": [64512]}])"));
  EXPECT_TRUE(WaitFor([&] { return FileSet(out) == Strings(kSecond); }, 10s))
      << ReadText(Path("fetch.log"));
  rpki::VrpSet fetched;
  ASSERT_TRUE(fetched.LoadFile(out).ok());
  ASSERT_NE(fetched.aspas().Providers(64496), nullptr);
  EXPECT_EQ(*fetched.aspas().Providers(64496), (std::vector<Asn>{64512}));
}

// ---------------------------------------------------------------- the store

TEST_F(RtrServeTest, StoreSourceServesTheNewestSnapshotsVrps) {
  if (!HaveCommand("rtrclient")) GTEST_SKIP() << "rtrclient (rtr-tools) is not installed";
  const std::string db = Path("vigia.db").string();
  auto add_snapshot = [&](const std::string& date, const std::vector<TestVrp>& vrps) {
    const std::filesystem::path snap = Path("snap-" + date);
    std::filesystem::create_directories(snap / "rpki");
    Put(snap / "rpki" / "vrps.json", VrpJson(vrps));
    auto store = store::Store::Open(db);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store::SnapshotInfo info;
    info.date = date;
    info.dir = snap.string();
    auto w = store.value()->BeginSnapshot(info);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w.value()->Commit().ok());
  };
  add_snapshot("2024-01-01", kFirst);
  RtrServe serve(dir_.path, "--db " + db + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  Child client(
      {"stdbuf", "-oL", "rtrclient", "-p", "tcp", "127.0.0.1", std::to_string(serve.port())},
      Path("rtrclient.out").string());
  const auto set = [&] { return RtrclientSet(ReadText(Path("rtrclient.out"))); };
  EXPECT_TRUE(WaitFor([&] { return set() == Strings(kFirst); }, 10s)) << serve.log();
  add_snapshot("2024-01-02", kSecond);
  EXPECT_TRUE(WaitFor([&] { return set() == Strings(kSecond); }, 10s)) << serve.log();
}

// ---------------------------------------------------------------- raw sockets

// A socket to the server (10 s timeouts), or -1.
int Connect(int port) { return test_util::ConnectLoopback(port, 10); }

// Sends `query` and reads PDUs until one of type `until`, or the peer closes.
std::vector<rpki::rtr::Pdu> Exchange(int fd, const std::vector<uint8_t>& query,
                                     rpki::rtr::PduType until, bool* closed) {
  if (!query.empty()) send(fd, query.data(), query.size(), MSG_NOSIGNAL);
  rpki::rtr::PduReader reader;
  std::vector<rpki::rtr::Pdu> out;
  *closed = false;
  uint8_t buf[65536];
  for (;;) {
    std::span<const uint8_t> one;
    for (;;) {
      auto next = reader.Next(&one);
      if (!next.ok() || !next.value()) break;
      rpki::rtr::Pdu p;
      if (rpki::rtr::DecodePdu(one, &p).ok()) out.push_back(p);
      if (p.type == until) return out;
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) *closed = true;
    if (n <= 0) return out;
    reader.Append({buf, static_cast<size_t>(n)});
  }
}

TEST_F(RtrServeTest, OldSerialOrOtherSessionGetsCacheReset) {
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --refresh 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  const int fd = Connect(serve.port());
  ASSERT_GE(fd, 0);
  bool closed = false;
  using rpki::rtr::PduType;
  auto full = Exchange(fd, rpki::rtr::ResetQuery(1), PduType::kEndOfData, &closed);
  ASSERT_EQ(full.size(), kFirst.size() + 2);
  const uint16_t session = full.front().session_id;
  const uint32_t serial = full.back().serial;
  // The current serial: an empty delta.
  auto same =
      Exchange(fd, rpki::rtr::SerialQuery(1, session, serial), PduType::kEndOfData, &closed);
  EXPECT_EQ(same.size(), 2u);
  // RFC 8210 §8.3: a serial this cache never had, or another session.
  auto old = Exchange(fd, rpki::rtr::SerialQuery(1, session, serial - 1000), PduType::kCacheReset,
                      &closed);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].type, PduType::kCacheReset);
  auto other = Exchange(fd, rpki::rtr::SerialQuery(1, static_cast<uint16_t>(session + 1), serial),
                        PduType::kCacheReset, &closed);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].type, PduType::kCacheReset);
  // After a change the old serial gets the delta, announced by a notify.
  Put(Path("vrps.json"), VrpJson(kSecond));
  auto notify = Exchange(fd, {}, PduType::kSerialNotify, &closed);
  ASSERT_EQ(notify.size(), 1u);
  EXPECT_EQ(notify[0].serial, serial + 1);
  auto delta =
      Exchange(fd, rpki::rtr::SerialQuery(1, session, serial), PduType::kEndOfData, &closed);
  // kFirst -> kSecond: 3 withdrawn, 4 announced, in a response.
  ASSERT_EQ(delta.size(), 2u + 3 + 4);
  EXPECT_FALSE(delta[1].announce);
  EXPECT_TRUE(delta[4].announce);
  EXPECT_EQ(delta.back().serial, serial + 1);
  close(fd);
}

TEST_F(RtrServeTest, GarbageGetsAnErrorReportAndTheConnectionIsClosed) {
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string());
  ASSERT_NE(serve.port(), 0) << serve.log();
  const int fd = Connect(serve.port());
  // A length field far beyond any PDU: the framing is lost.
  const std::vector<uint8_t> junk = {1, 2, 0, 0, 0xff, 0xff, 0xff, 0xff, 'j', 'u', 'n', 'k'};
  bool closed = false;
  auto got = Exchange(fd, junk, rpki::rtr::PduType::kSerialNotify, &closed);
  close(fd);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, rpki::rtr::PduType::kErrorReport);
  EXPECT_EQ(got[0].error_code, static_cast<uint16_t>(rpki::rtr::ErrorCode::kCorruptData));
  EXPECT_TRUE(closed);
  // The server goes on serving.
  const int again = Connect(serve.port());
  auto full = Exchange(again, rpki::rtr::ResetQuery(1), rpki::rtr::PduType::kEndOfData, &closed);
  EXPECT_EQ(full.size(), kFirst.size() + 2);
  close(again);
}

TEST_F(RtrServeTest, SlowlorisAndSilentClientsAreDropped) {
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --client-timeout 1");
  ASSERT_NE(serve.port(), 0) << serve.log();
  const int half = Connect(serve.port());
  const std::vector<uint8_t> q = rpki::rtr::ResetQuery(1);
  send(half, q.data(), 3, 0);  // the rest never comes
  const int silent = Connect(serve.port());
  bool closed = false;
  EXPECT_TRUE(Exchange(half, {}, rpki::rtr::PduType::kEndOfData, &closed).empty());
  EXPECT_TRUE(closed);
  EXPECT_TRUE(Exchange(silent, {}, rpki::rtr::PduType::kEndOfData, &closed).empty());
  EXPECT_TRUE(closed);
  close(half);
  close(silent);
  const std::string log = serve.log();
  EXPECT_NE(log.find("stopped halfway through a PDU"), std::string::npos) << log;
  EXPECT_NE(log.find("sent no query"), std::string::npos) << log;
}

TEST_F(RtrServeTest, TwoThousandConnectionsBeyondMaxClientsAreRefusedCleanly) {
  Put(Path("vrps.json"), VrpJson(kFirst));
  RtrServe serve(dir_.path, "--vrps " + Path("vrps.json").string() + " --max-clients 10");
  ASSERT_NE(serve.port(), 0) << serve.log();
  std::vector<int> kept;
  bool closed = false;
  for (int i = 0; i < 10; ++i) {
    kept.push_back(Connect(serve.port()));
    ASSERT_EQ(
        Exchange(kept.back(), rpki::rtr::ResetQuery(1), rpki::rtr::PduType::kEndOfData, &closed)
            .size(),
        kFirst.size() + 2);
  }
  // 2,000 descriptors on this side too.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
    rl.rlim_cur = 4096;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < 2100) GTEST_SKIP() << "RLIMIT_NOFILE " << rl.rlim_cur << " < 2100";
  std::vector<int> extra;
  for (int i = 0; i < 2000; ++i) {
    const int fd = Connect(serve.port());
    if (fd >= 0) extra.push_back(fd);
  }
  size_t refused = 0;
  for (int fd : extra) {
    uint8_t b;
    if (recv(fd, &b, 1, 0) <= 0) ++refused;  // EOF or reset: closed by the server
    close(fd);
  }
  EXPECT_EQ(refused, 2000u);
  // The ten still get answers, and a slot freed is a slot usable again.
  for (int fd : kept) {
    EXPECT_EQ(
        Exchange(fd, rpki::rtr::ResetQuery(1), rpki::rtr::PduType::kEndOfData, &closed).size(),
        kFirst.size() + 2);
  }
  close(kept.back());
  kept.pop_back();
  int fd = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        if (fd >= 0) close(fd);
        fd = Connect(serve.port());
        timeval tv{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        return Exchange(fd, rpki::rtr::ResetQuery(1), rpki::rtr::PduType::kEndOfData, &closed)
                   .size() == kFirst.size() + 2;
      },
      10s));
  close(fd);
  for (int k : kept) close(k);
}

TEST_F(RtrServeTest, UsageErrors) {
  int status = 0;
  std::string out = test_util::RunCommand(Vigia() + " rtr serve 2>&1", &status);
  EXPECT_EQ(test_util::Exit(status), 2);
  EXPECT_NE(out.find("--vrps FILE or --db URL"), std::string::npos) << out;
  out = test_util::RunCommand(
      Vigia() + " rtr serve --vrps " + Path("absent.json").string() + " 2>&1", &status);
  EXPECT_EQ(test_util::Exit(status), 2);
  EXPECT_NE(out.find("absent.json"), std::string::npos) << out;
  Put(Path("vrps.json"), VrpJson(kFirst));
  out = test_util::RunCommand(
      Vigia() + " rtr serve --vrps " + Path("vrps.json").string() + " --listen nonsense 2>&1",
      &status);
  EXPECT_EQ(test_util::Exit(status), 2);
  EXPECT_NE(out.find("nonsense"), std::string::npos) << out;
  out = test_util::RunCommand(
      Vigia() + " rtr serve --vrps " + Path("vrps.json").string() + " --rtr-expire 10 2>&1",
      &status);
  EXPECT_EQ(test_util::Exit(status), 2);
  EXPECT_NE(out.find("RFC 8210"), std::string::npos) << out;
  out = test_util::RunCommand(Vigia() + " rtr serve --help", &status);
  EXPECT_EQ(test_util::Exit(status), 0);
  EXPECT_NE(out.find("--max-clients"), std::string::npos);
}

}  // namespace
}  // namespace vigia
