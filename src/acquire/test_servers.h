// Test servers for the download tests (header-only, tests only): a real
// Debian nginx serving a directory on 127.0.0.1 (directory listings with
// `autoindex on`, Range requests as nginx always answers them), and the
// fault-injecting proxy tests/acquire/fault_proxy.py in front of it.
//
// Each server is a child process owned by its TestServer object: started
// with its own work directory (configuration, logs), on a free loopback
// port, and killed (SIGTERM, then SIGKILL) and reaped when the object goes
// out of scope, so a failing test does not leave it behind. No traffic
// leaves 127.0.0.1.
//
//   auto nginx = StartNginx(root, work / "nginx");
//   ASSERT_TRUE(nginx.ok()) << nginx.error();
//   auto proxy = StartFaultProxy(nginx.url(), {"rrc00=drop:1"}, work / "proxy");
//   ... fetch proxy.url() + "/rrc00/..." ...
//   proxy.Stats()["/rrc00/..."]  // requests seen for that path
//
// Thread safety: one thread per TestServer object.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/test_util.h"

namespace vigia::test_util {

inline constexpr const char* kNginxBinary = "/usr/sbin/nginx";

// "" when nginx is installed, else why the test skips.
inline std::string NginxMissing() {
  if (::access(kNginxBinary, X_OK) == 0) return "";
  return std::string(kNginxBinary) + " is missing (Debian package nginx-light or nginx)";
}

// A port that was free a moment ago: bind port 0, read it, close.
inline int PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// One HTTP/1.0 GET to 127.0.0.1:port; the body ("" on failure). For the
// servers' control pages (the proxy's /_faults/stats).
inline std::string LoopbackGet(int port, const std::string& path, int timeout_ms = 5000) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  std::string resp;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

// True when something accepts connections on 127.0.0.1:port.
inline bool PortAnswers(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A server child process: ok() once it answers on url(); stopped and reaped
// by the destructor. Movable, not copyable.
class TestServer {
 public:
  TestServer() = default;
  TestServer(pid_t pid, int port, std::filesystem::path work, std::string error)
      : pid_(pid), port_(port), work_(std::move(work)), error_(std::move(error)) {}
  TestServer(TestServer&& o) noexcept { *this = std::move(o); }
  TestServer& operator=(TestServer&& o) noexcept {
    if (this != &o) {
      Stop();
      pid_ = std::exchange(o.pid_, -1);
      port_ = o.port_;
      work_ = std::move(o.work_);
      error_ = std::move(o.error_);
    }
    return *this;
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() { Stop(); }

  bool ok() const { return pid_ > 0 && error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& work_dir() const { return work_; }
  pid_t pid() const { return pid_; }

  // nginx: the access log's lines (format: see StartNginx).
  std::vector<std::string> AccessLog() const { return Lines(ReadText(work_ / "access.log")); }
  // The fault proxy: {path: requests seen}.
  nlohmann::json Stats() const {
    return nlohmann::json::parse(LoopbackGet(port_, "/_faults/stats"), nullptr, false);
  }
  // The fault proxy: {"now": n, "max": n} requests in flight.
  nlohmann::json Concurrency() const {
    return nlohmann::json::parse(LoopbackGet(port_, "/_faults/concurrency"), nullptr, false);
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // 5 s
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path work_;
  std::string error_;
};

namespace detail {

// fork + execv(argv) with stdout and stderr to `log`.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (std::freopen(log.c_str(), "w", stdout) == nullptr) _exit(126);
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    ::execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// True if the child has exited (reaped).
inline bool Exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace detail

// Debian's nginx serving root_dir on a free 127.0.0.1 port, its
// configuration, logs and temp files in work_dir (created). Directory
// listings on (`autoindex on`, as the archives have), relative redirects.
// The access log (work_dir/access.log) has one line per request:
//   MSEC REQUEST_TIME STATUS "REQUEST" BODY_BYTES "RANGE" "USER_AGENT"
// where MSEC is the end time (s.ms) and REQUEST_TIME its duration.
inline TestServer StartNginx(const std::filesystem::path& root_dir,
                             const std::filesystem::path& work_dir, int seconds = 10) {
  if (std::string why = NginxMissing(); !why.empty()) return {-1, 0, work_dir, why};
  std::filesystem::create_directories(work_dir / "tmp");
  const std::filesystem::path root = std::filesystem::absolute(root_dir);
  const std::filesystem::path work = std::filesystem::absolute(work_dir);
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = PickFreePort();
    if (port == 0) continue;
    const std::string w = work.string();
    std::ofstream(work / "generated.conf")
        << "worker_processes 1;\n"
        << "master_process off;\n"
        << "pid " << w << "/nginx.pid;\n"
        << "error_log " << w << "/error.log warn;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n"
        << "  default_type application/octet-stream;\n"
        << "  log_format vigia '$msec $request_time $status \"$request\" $body_bytes_sent "
           "\"$http_range\" \"$http_user_agent\"';\n"
        << "  access_log " << w << "/access.log vigia;\n"
        << "  client_body_temp_path " << w << "/tmp/body;\n"
        << "  proxy_temp_path " << w << "/tmp/proxy;\n"
        << "  fastcgi_temp_path " << w << "/tmp/fastcgi;\n"
        << "  uwsgi_temp_path " << w << "/tmp/uwsgi;\n"
        << "  scgi_temp_path " << w << "/tmp/scgi;\n"
        << "  sendfile on;\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port << ";\n"
        << "    root " << root.string() << ";\n"
        << "    autoindex on;\n"
        << "    absolute_redirect off;\n"
        << "  }\n"
        << "}\n";
    const pid_t pid = detail::Spawn({kNginxBinary, "-e", w + "/error.log", "-p", w + "/", "-c",
                                     w + "/generated.conf", "-g", "daemon off;"},
                                    work / "nginx.out");
    if (pid < 0) return {-1, 0, work_dir, "fork failed"};
    bool exited = false;
    for (int i = 0; i < seconds * 20 && !exited; ++i) {
      if (PortAnswers(port)) return {pid, port, work, ""};
      exited = detail::Exited(pid);
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) TestServer(pid, port, work, "").Stop();
    last_error =
        "nginx did not start: " + ReadText(work / "error.log") + ReadText(work / "nginx.out");
  }
  return {-1, 0, work_dir, last_error};
}

// tests/acquire/fault_proxy.py in front of upstream_url, with rules
// "REGEX=MODE[:N]" (see the script), logs in work_dir (created).
inline TestServer StartFaultProxy(const std::string& upstream_url,
                                  const std::vector<std::string>& rules,
                                  const std::filesystem::path& work_dir, int seconds = 10) {
  std::filesystem::create_directories(work_dir);
  const std::string script = std::string(VIGIA_SOURCE_DIR) + "/tests/acquire/fault_proxy.py";
  std::vector<std::string> argv = {"/usr/bin/python3", script, "--upstream", upstream_url};
  for (const std::string& r : rules) {
    argv.push_back("--rule");
    argv.push_back(r);
  }
  const std::filesystem::path log = work_dir / "proxy.out";
  const pid_t pid = detail::Spawn(argv, log);
  if (pid < 0) return {-1, 0, work_dir, "fork failed"};
  const std::string mark = "listening on ";
  for (int i = 0; i < seconds * 20; ++i) {
    const std::string out = ReadText(log);
    if (const size_t at = out.find(mark);
        at != std::string::npos && out.find('\n', at) != out.npos) {
      return {pid, std::atoi(out.c_str() + at + mark.size()), work_dir, ""};
    }
    if (detail::Exited(pid)) return {-1, 0, work_dir, "fault_proxy.py exited: " + out};
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  TestServer(pid, 0, work_dir, "").Stop();
  return {-1, 0, work_dir, "fault_proxy.py did not start: " + ReadText(log)};
}

}  // namespace vigia::test_util
