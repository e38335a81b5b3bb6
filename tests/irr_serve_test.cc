// `vigia irr serve` run as an operator would, queried by the real Debian
// bgpq4 and by raw sockets: bgpq4's prefix lists equal `vigia irr expand`'s
// on the same files (nested sets, a cycle, both families, a depth limit, and
// the RIPE route sample of ../shared/data/irr when present), pipelined
// queries, 200 concurrent clients, hostile input and SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/test_socket.h"
#include "core/test_util.h"

namespace vigia {
namespace {

using test_util::RunCommand;
using test_util::Vigia;

constexpr const char* kDump =
    "as-set:  AS-TOP\n"
    "members: AS10001, AS-MID\n"
    "source:  TEST\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS10002, AS-LEAF, AS-TOP\n"  // cycle back to AS-TOP
    "source:  TEST\n"
    "\n"
    "as-set:  AS-LEAF\n"
    "members: AS10003, AS10004\n"
    "source:  TEST\n"
    "\n"
    "route:   192.0.2.0/24\n"
    "origin:  AS10001\n"
    "source:  TEST\n"
    "\n"
    "route:   198.51.100.0/24\n"
    "origin:  AS10002\n"
    "source:  TEST\n"
    "\n"
    "route:   203.0.113.0/25\n"
    "origin:  AS10003\n"
    "source:  TEST\n"
    "\n"
    "route:   203.0.113.128/25\n"
    "origin:  AS10004\n"
    "source:  TEST\n"
    "\n"
    "route6:  2001:db8:1::/48\n"
    "origin:  AS10003\n"
    "source:  TEST\n"
    "\n"
    "route6:  2001:db8:2::/48\n"
    "origin:  AS10001\n"
    "source:  TEST\n";

// A socket to the server (5 s timeouts), or -1.
int Connect(int port) { return test_util::ConnectLoopback(port, 5); }

bool SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until EOF (or `want` bytes, or the 5 s timeout).
std::string Receive(int fd, size_t want = std::string::npos, bool* eof = nullptr) {
  std::string out;
  char buf[65536];
  if (eof) *eof = false;
  while (out.size() < want) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    // A server closing a socket with unread input (the rest of an endless
    // line) makes the kernel send a reset: that is a close too.
    if ((n == 0 || (n < 0 && errno == ECONNRESET)) && eof) *eof = true;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// One query on a fresh connection, read to EOF.
std::string Ask(int port, const std::string& q) {
  const int fd = Connect(port);
  if (fd < 0) return "(no connection)";
  SendAll(fd, q);
  std::string out = Receive(fd);
  close(fd);
  return out;
}

class IrrServe : public ::testing::Test {
 protected:
  void SetUp() override { db_ = Write("test.db", kDump); }
  void TearDown() override { Stop(); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // Starts `vigia irr serve ARGS --listen 127.0.0.1:0`; sets port_.
  void Start(const std::string& args) {
    const std::filesystem::path out = dir_.path / "serve.out";
    pid_ = fork();
    if (pid_ == 0) {
      const std::string cmd = "exec " + Vigia() + " irr serve " + args +
                              " --listen 127.0.0.1:0 > " + out.string() + " 2> " + out.string() +
                              ".err";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const std::string mark = "vigia: whois listening on 127.0.0.1:";
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream f(out);
      for (std::string line; std::getline(f, line);) {
        if (line.rfind(mark, 0) == 0) port_ = std::stoi(line.substr(mark.size()));
      }
    }
    ASSERT_NE(port_, 0) << test_util::ReadText(out.string() + ".err");
  }
  // SIGTERM; the exit status, or -1 when it did not stop within 5 s.
  int Stop() {
    if (pid_ <= 0) return 0;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return -1;
  }
  // bgpq4's prefix list for the set (JSON output), as a set of strings.
  std::set<std::string> Bgpq4(const std::string& flags, const std::string& set) {
    int rc = 0;
    const std::string out = RunCommand("timeout 20 bgpq4 -h 127.0.0.1:" + std::to_string(port_) +
                                           " -j -l x " + flags + " " + set + " 2>/dev/null",
                                       &rc);
    EXPECT_EQ(test_util::Exit(rc), 0) << set << " " << flags << ": " << out;
    std::set<std::string> got;
    const auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.contains("x")) {
      ADD_FAILURE() << "bgpq4 output: " << out;
      return got;
    }
    for (const auto& e : j["x"]) got.insert(e["prefix"].get<std::string>());
    return got;
  }
  // `vigia irr expand --json` on the same files: ipv4 or ipv6.
  std::set<std::string> Expand(const std::string& files, const std::string& set,
                               const std::string& family, const std::string& extra = "") {
    const std::string out =
        RunCommand(Vigia() + " irr expand --json " + extra + " --irr " + files + " -- " + set);
    const auto j = nlohmann::json::parse(out, nullptr, false);
    std::set<std::string> got;
    if (j.is_discarded()) {
      ADD_FAILURE() << "vigia irr expand output: " << out;
      return got;
    }
    for (const auto& p : j[family]) got.insert(p.get<std::string>());
    return got;
  }
  void ExpectBgpq4Equal(const std::string& files, const std::string& set) {
    const std::set<std::string> v4 = Expand(files, set, "ipv4");
    const std::set<std::string> v6 = Expand(files, set, "ipv6");
    EXPECT_EQ(Bgpq4("-4", set), v4) << set;
    EXPECT_EQ(Bgpq4("-6", set), v6) << set;
  }

  test_util::ScopedTempDir dir_{"vigia-irr-serve"};
  std::string db_;
  pid_t pid_ = 0;
  int port_ = 0;
};

TEST_F(IrrServe, Bgpq4PrefixListsEqualVigiaExpand) {
  if (!test_util::HaveCommand("bgpq4")) GTEST_SKIP() << "bgpq4 not installed (Debian bgpq4)";
  Start("--irr " + db_);
  for (const char* set : {"AS-TOP", "AS-MID", "AS-LEAF", "AS10001", "AS10004"}) {
    ExpectBgpq4Equal(db_, set);
  }
  EXPECT_EQ(Bgpq4("-4", "AS-TOP").size(), 4u);  // the cycle does not hide anything
  // With a depth limit bgpq4 walks the sets itself (!i then !g per AS).
  EXPECT_EQ(Bgpq4("-4 -L 1", "AS-TOP"), Expand(db_, "AS-TOP", "ipv4", "--depth 1"));
  EXPECT_EQ(Bgpq4("-4 -S TEST", "AS-MID"), Expand(db_, "AS-MID", "ipv4"));
  EXPECT_EQ(Stop(), 0);
}

TEST_F(IrrServe, Bgpq4OnTheRipeRouteSample) {
  if (!test_util::HaveCommand("bgpq4")) GTEST_SKIP() << "bgpq4 not installed (Debian bgpq4)";
  const std::string dir = test_util::SharedData() + "/irr/ripe-db-sample";
  if (!std::filesystem::exists(dir + "/ripe-db-route.txt")) {
    GTEST_SKIP() << "no " << dir << " (../shared/data absent)";
  }
  // An as-set over the first origins of the sample, nested one level.
  std::set<std::string> origins;
  for (const char* f : {"/ripe-db-route.txt", "/ripe-db-route6.txt"}) {
    std::ifstream in(dir + f);
    for (std::string line; std::getline(in, line) && origins.size() < 12;) {
      if (line.rfind("origin:", 0) == 0) origins.insert(line.substr(line.find("AS")));
    }
  }
  ASSERT_GE(origins.size(), 6u);
  std::string top = "as-set: AS-REAL\nmembers: AS-REAL-SUB\n", sub = "as-set: AS-REAL-SUB\n";
  size_t i = 0;
  for (const std::string& o : origins) ((i++ % 2) ? top : sub) += "members: " + o + "\n";
  const std::string sets = Write("sets.db", top + "source: RIPE\n\n" + sub + "source: RIPE\n");
  const std::string files = dir + "/ripe-db-route.txt " + dir + "/ripe-db-route6.txt " + sets;
  Start("--irr " + files);
  ExpectBgpq4Equal(files, "AS-REAL");
  ExpectBgpq4Equal(files, "AS-REAL-SUB");
  ExpectBgpq4Equal(files, *origins.begin());
  EXPECT_FALSE(Bgpq4("-4", "AS-REAL").empty());
}

TEST_F(IrrServe, PipelinedQueriesAreAnsweredInOrder) {
  Start("--irr " + db_);
  const std::string answer = Ask(port_,
                                 "!!\n!gAS10001\n!iAS-TOP,1\n!a6AS-TOP\n!iAS-NONE\n!sNOPE\n"
                                 "-K -i origin AS10002\n!q\n!gAS10002\n");
  EXPECT_EQ(answer,
            "A13\n192.0.2.0/24\nC\n"
            "A32\nAS10001 AS10002 AS10003 AS10004\nC\n"
            "A32\n2001:db8:1::/48 2001:db8:2::/48\nC\n"
            "D\n"
            "F Unknown source NOPE\n"
            "route:          198.51.100.0/24\norigin:         AS10002\n\n");
}

TEST_F(IrrServe, FiftyThousandPipelinedQueriesLoseNothing) {
  Start("--irr " + db_);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string queries = "!!\n";
  for (int i = 0; i < 50000; ++i) queries += (i % 2) ? "!gAS10001\n" : "!6AS10003\n";
  queries += "!q\n";
  // Written by another thread while this one reads, so neither side's
  // buffers have to hold everything.
  std::thread writer([&] { SendAll(fd, queries); });
  const std::string got = Receive(fd);
  writer.join();
  close(fd);
  std::string want;
  for (int i = 0; i < 50000; ++i) {
    want += (i % 2) ? "A13\n192.0.2.0/24\nC\n" : "A16\n2001:db8:1::/48\nC\n";
  }
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

TEST_F(IrrServe, WithoutPersistentModeOneAnswerThenClose) {
  Start("--irr " + db_);
  EXPECT_EQ(Ask(port_, "!gAS10002\n!gAS10001\n"), "A16\n198.51.100.0/24\nC\n");
  EXPECT_EQ(Ask(port_, "AS-NONE\r\n"), "%  No entries found for the selected source(s).\n\n");
}

TEST_F(IrrServe, TwoHundredConcurrentClients) {
  Start("--irr " + db_ + " --max-clients 256");
  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) {
    const int fd = Connect(port_);
    ASSERT_GE(fd, 0) << "client " << i;
    ASSERT_TRUE(SendAll(fd, "!!\n"));
    fds.push_back(fd);
  }
  const std::string want = "A32\nAS10001 AS10002 AS10003 AS10004\nC\n";
  for (int round = 0; round < 2; ++round) {
    for (int fd : fds) ASSERT_TRUE(SendAll(fd, "!iAS-TOP,1\n"));
    for (int fd : fds) EXPECT_EQ(Receive(fd, want.size()), want);
  }
  for (int fd : fds) {
    SendAll(fd, "!q\n");
    bool eof = false;
    EXPECT_EQ(Receive(fd, std::string::npos, &eof), "");
    EXPECT_TRUE(eof);
    close(fd);
  }
  EXPECT_EQ(Stop(), 0);
}

TEST_F(IrrServe, ClientsBeyondTheCapAreTurnedAway) {
  Start("--irr " + db_ + " --max-clients 2");
  const int a = Connect(port_), b = Connect(port_);
  SendAll(a, "!!\n");
  SendAll(b, "!!\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Ask(port_, "!gAS10001\n"), "F too many connections\n");
  close(a);
  close(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(Ask(port_, "!gAS10001\n"), "A13\n192.0.2.0/24\nC\n");
}

TEST_F(IrrServe, HostileInputGetsAnErrorNeverACrash) {
  Start("--irr " + db_);
  // A huge line, and an endless one: an error, then the connection closes.
  EXPECT_EQ(Ask(port_, "!!\n" + std::string(1 << 20, 'A') + "\n"), "F query too long\n");
  {
    const int fd = Connect(port_);
    SendAll(fd, "!!\n");
    std::string chunk(8192, 'x');
    for (int i = 0; i < 4 && SendAll(fd, chunk); ++i) {
    }
    bool eof = false;
    EXPECT_EQ(Receive(fd, std::string::npos, &eof), "F query too long\n");
    EXPECT_TRUE(eof);
    close(fd);
  }
  // Binary bytes: an error per line, the session goes on.
  std::string binary = "!!\n";
  for (int c = 0; c < 256; ++c) {
    if (c != '\n') binary.push_back(static_cast<char>(c));
  }
  binary += "\n!g\xff\xfe\n!i\n!t99999\n!gAS10001\n!q\n";
  EXPECT_EQ(Ask(port_, binary),
            "F query contains control characters\n"
            "F invalid AS number\n"
            "F !i needs a set name\n"
            "F !t needs a timeout of 1 to 3600 seconds\n"
            "A13\n192.0.2.0/24\nC\n");
  // An idle client is dropped after its timeout.
  {
    const int fd = Connect(port_);
    SendAll(fd, "!!\n!t1\n");
    const auto t0 = std::chrono::steady_clock::now();
    bool eof = false;
    EXPECT_EQ(Receive(fd, std::string::npos, &eof), "C\n");
    EXPECT_TRUE(eof);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
    close(fd);
  }
  // Still serving.
  EXPECT_EQ(Ask(port_, "!gAS10001\n"), "A13\n192.0.2.0/24\nC\n");
  EXPECT_EQ(Stop(), 0);
}

TEST_F(IrrServe, BadArgumentsFail) {
  int rc = 0;
  const std::string help = RunCommand(Vigia() + " irr serve --help", &rc);
  EXPECT_EQ(test_util::Exit(rc), 0);
  EXPECT_NE(help.find("--max-clients"), std::string::npos);
  RunCommand(Vigia() + " irr serve --irr " + db_ + " --listen nonsense 2>/dev/null", &rc);
  EXPECT_EQ(test_util::Exit(rc), 2);
  RunCommand(Vigia() + " irr serve --irr /nonexistent --listen 127.0.0.1:0 2>/dev/null", &rc);
  EXPECT_EQ(test_util::Exit(rc), 2);
}

}  // namespace
}  // namespace vigia
