// Test-only: a real clickhouse-server (Debian's 18.16) for one test
// program, on free loopback ports (HTTP, native TCP, interserver), with its
// own config XML, users XML and data directory in a fresh temporary
// directory; started by the constructor, waited for (GET /ping answers
// "Ok."), killed and its directory removed by the destructor. Sized to
// stay small on a shared machine: 64 MiB mark cache, 32 MiB uncompressed
// cache, max_threads 2, 2 GB per query.
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
#include <string>

#include "core/test_daemon.h"
#include "core/test_util.h"

namespace vigia::store::test_clickhouse {

inline constexpr const char* kServerBinary = "/usr/sbin/clickhouse-server";

class Server {
 public:
  Server() {
    namespace fs = std::filesystem;
    if (!fs::exists(kServerBinary)) {
      skip_ = std::string(kServerBinary) +
              " is absent: install Debian's clickhouse-server (scripts/setup.sh) to run the "
              "ClickHouse store tests";
      return;
    }
    dir_ = test_util::FreshTempDir("vigia_clickhouse_");
    http_ = test_util::FreePort();
    tcp_ = test_util::FreePort();
    interserver_ = test_util::FreePort();
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
</yandex>
)",
        dir_.string(), http_, tcp_, interserver_);
    std::ofstream(dir_ / "users.xml") << R"(<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><max_memory_usage>2000000000</max_memory_usage><use_uncompressed_cache>0</use_uncompressed_cache></default></profiles>
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
    }
  }
  ~Server() {
    daemon_.reset();  // SIGKILL to its process group, reaped
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool ok() const { return skip_.empty(); }
  const std::string& skip_reason() const { return skip_; }
  int http_port() const { return http_; }
  const std::filesystem::path& dir() const { return dir_; }
  // The store URL of a database on this server.
  std::string Url(const std::string& db) const {
    return fmt::format("clickhouse://127.0.0.1:{}/{}", http_, db);
  }

 private:
  std::filesystem::path dir_;
  int http_ = 0, tcp_ = 0, interserver_ = 0;
  std::unique_ptr<test_util::Daemon> daemon_;
  std::string skip_;
};

}  // namespace vigia::store::test_clickhouse
