// Test-only: a real clickhouse-server (Debian's 18.16) for one test
// program (Server), or a cluster of four and a ZooKeeper (Cluster), on free loopback ports (HTTP,
// native TCP, interserver), with its own config XML, users XML and data directory in a fresh
// temporary directory; started by the constructor, waited for (GET /ping answers "Ok."), killed and
// its directory removed by the destructor. Sized to stay small on a shared machine: 64 MiB mark
// cache, 32 MiB uncompressed cache, max_threads 2, 2 GB per query.
//
// When /usr/sbin/clickhouse-server is absent, ok() is false and
// skip_reason() says why: tests GTEST_SKIP with it.
//
// Thread safety: none; one object per test program, owned by its main().
#pragma once

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/test_daemon.h"
#include "core/test_util.h"

namespace vigia::store::test_clickhouse {

inline constexpr const char* kServerBinary = "/usr/sbin/clickhouse-server";

// A free loopback port not handed out before in this program: FreePort
// alone may give the same port twice when nothing listens on it yet.
inline int UniquePort() {
  static std::set<int> given;
  for (;;) {
    const int p = test_util::FreePort();
    if (given.insert(p).second) return p;
  }
}

// One clickhouse-server. `extra` is XML added to its config (a cluster's
// <zookeeper>, <macros>, <remote_servers>).
class Server {
 public:
  explicit Server(std::string extra = "", std::filesystem::path dir = {})
      : extra_(std::move(extra)) {
    namespace fs = std::filesystem;
    if (!fs::exists(kServerBinary)) {
      skip_ = std::string(kServerBinary) +
              " is absent: install Debian's clickhouse-server (scripts/setup.sh) to run the "
              "ClickHouse store tests";
      return;
    }
    own_dir_ = dir.empty();
    dir_ = own_dir_ ? test_util::FreshTempDir("vigia_clickhouse_") : dir;
    fs::create_directories(dir_);
    http_ = UniquePort();
    tcp_ = UniquePort();
    interserver_ = UniquePort();
  }
  ~Server() {
    daemon_.reset();  // SIGKILL to its process group, reaped
    if (own_dir_ && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Writes the config (once its ports are known, a cluster's peers too)
  // and starts the server; waits up to 90 s for /ping. False, with
  // skip_reason(), when it did not come up.
  bool Start(const std::string& extra = "") {
    if (!skip_.empty() && daemon_ == nullptr && http_ == 0) return false;
    if (!extra.empty()) extra_ = extra;
    std::ofstream(dir_ / "config.xml") << fmt::format(
        R"(<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{0}/server.log</log><errorlog>{0}/error.log</errorlog><console>0</console></logger>
  <http_port>{1}</http_port>
  <tcp_port>{2}</tcp_port>
  <interserver_http_port>{3}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <path>{0}/data/</path>
  <tmp_path>{0}/tmp/</tmp_path>
  <user_files_path>{0}/user_files/</user_files_path>
  <format_schema_path>{0}/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>33554432</uncompressed_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <users_config>{0}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
{4}
</yandex>
)",
        dir_.string(), http_, tcp_, interserver_, extra_);
    std::ofstream(dir_ / "users.xml") << R"(<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><max_memory_usage>2000000000</max_memory_usage><use_uncompressed_cache>0</use_uncompressed_cache><connect_timeout_with_failover_ms>200</connect_timeout_with_failover_ms></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
)";
    daemon_ = std::make_unique<test_util::Daemon>(
        std::vector<std::string>{kServerBinary, "--config-file=" + (dir_ / "config.xml").string()},
        dir_ / "stdout.log");
    const bool up = test_util::WaitFor(
        [&] {
          httplib::Client c("127.0.0.1", http_);
          c.set_connection_timeout(1, 0);
          auto r = c.Get("/ping");
          return r && r->status == 200;
        },
        std::chrono::seconds(90), std::chrono::milliseconds(200));
    if (!up) {
      skip_ = fmt::format("clickhouse-server did not answer /ping on port {} within 90 s; see {}",
                          http_, (dir_ / "error.log").string());
      daemon_.reset();
      return false;
    }
    skip_.clear();
    return true;
  }
  // SIGKILL, as a crash: its data directory stays for a restart.
  void Kill() { daemon_.reset(); }

  bool ok() const { return skip_.empty() && http_ != 0; }
  const std::string& skip_reason() const { return skip_; }
  int http_port() const { return http_; }
  int tcp_port() const { return tcp_; }
  const std::filesystem::path& dir() const { return dir_; }
  // The store URL of a database on this server.
  std::string Url(const std::string& db) const {
    return fmt::format("clickhouse://127.0.0.1:{}/{}", http_, db);
  }

 private:
  std::string extra_;
  std::filesystem::path dir_;
  bool own_dir_ = true;
  int http_ = 0, tcp_ = 0, interserver_ = 0;
  std::unique_ptr<test_util::Daemon> daemon_;
  std::string skip_;
};

// One server, started: what the single-server tests use.
inline std::unique_ptr<Server> StartServer() {
  auto s = std::make_unique<Server>();
  if (s->skip_reason().empty()) s->Start();
  return s;
}

inline constexpr const char* kZkServer = "/usr/share/zookeeper/bin/zkServer.sh";

// 2 shards x 2 replicas: one ZooKeeper (Debian's, java) and four
// clickhouse-servers on loopback; node i (0..3) is replica i % 2 + 1 of
// shard i / 2 + 1, in the cluster named "vigia". Nodes can be killed and
// restarted (their data directories stay).
class Cluster {
 public:
  Cluster() {
    namespace fs = std::filesystem;
    if (!fs::exists(kServerBinary) || !fs::exists(kZkServer)) {
      skip_ = std::string(kServerBinary) + " or " + kZkServer +
              " is absent: install Debian's clickhouse-server and zookeeper (scripts/setup.sh)";
      return;
    }
    dir_ = test_util::FreshTempDir("vigia_chcluster_");
    zk_port_ = UniquePort();
    fs::create_directories(dir_ / "zk");
    std::ofstream(dir_ / "zk" / "zoo.cfg") << fmt::format(
        "tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir={}/zk/data\nclientPort={}\n"
        "clientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n",
        dir_.string(), zk_port_);
    zk_ = std::make_unique<test_util::Daemon>(
        std::vector<std::string>{kZkServer, "start-foreground", (dir_ / "zk" / "zoo.cfg").string()},
        dir_ / "zk" / "out.log",
        std::vector<std::string>{"ZOO_LOG_DIR=" + (dir_ / "zk").string(),
                                 "JVMFLAGS=-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"});
    if (!test_util::WaitFor([&] { return Ruok(); }, std::chrono::seconds(60),
                            std::chrono::milliseconds(250))) {
      skip_ =
          "ZooKeeper did not answer ruok within 60 s; see " + (dir_ / "zk" / "out.log").string();
      return;
    }
    for (int i = 0; i < 4; ++i) {
      nodes_.push_back(std::make_unique<Server>("", dir_ / ("node" + std::to_string(i))));
    }
    std::string shards;
    for (int s = 0; s < 2; ++s) {
      shards += "<shard><internal_replication>true</internal_replication>";
      for (int r = 0; r < 2; ++r) {
        shards += fmt::format("<replica><host>127.0.0.1</host><port>{}</port></replica>",
                              nodes_[static_cast<size_t>(2 * s + r)]->tcp_port());
      }
      shards += "</shard>";
    }
    for (int i = 0; i < 4; ++i) {
      extra_.push_back(
          fmt::format("<zookeeper><node><host>127.0.0.1</host><port>{}</port></node>"
                      "<session_timeout_ms>4000</session_timeout_ms></zookeeper>\n"
                      "<macros><shard>{}</shard><replica>node{}</replica></macros>\n"
                      "<distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>\n"
                      "<remote_servers><vigia>{}</vigia></remote_servers>",
                      zk_port_, i / 2 + 1, i, shards));
      if (!nodes_[static_cast<size_t>(i)]->Start(extra_.back())) {
        skip_ = nodes_[static_cast<size_t>(i)]->skip_reason();
        return;
      }
    }
  }
  ~Cluster() {
    nodes_.clear();
    zk_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  bool ok() const { return skip_.empty(); }
  const std::string& skip_reason() const { return skip_; }
  Server& node(int i) { return *nodes_[static_cast<size_t>(i)]; }
  // The store URL of a database through node i.
  std::string Url(int i, const std::string& db) const {
    return nodes_[static_cast<size_t>(i)]->Url(db) + "?cluster=vigia";
  }
  void Kill(int i) { nodes_[static_cast<size_t>(i)]->Kill(); }
  bool Restart(int i) {
    return nodes_[static_cast<size_t>(i)]->Start(extra_[static_cast<size_t>(i)]);
  }

 private:
  bool Ruok() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(zk_port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::write(fd, "ruok", 4) == 4) {
      char buf[8] = {};
      ok = ::read(fd, buf, 4) == 4 && std::string(buf, 4) == "imok";
    }
    ::close(fd);
    return ok;
  }

  std::filesystem::path dir_;
  int zk_port_ = 0;
  std::unique_ptr<test_util::Daemon> zk_;
  std::vector<std::unique_ptr<Server>> nodes_;
  std::vector<std::string> extra_;
  std::string skip_;
};

}  // namespace vigia::store::test_clickhouse
