// For tests: a real StayRTR (Debian `stayrtr`) on 127.0.0.1, serving a VRP
// JSON file that it re-reads every second. Killed and reaped when the
// object goes. Callers skip their test when `stayrtr` is not installed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

namespace vigia::rpki::test {

// A loopback TCP port nobody listens on right now.
inline uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

// A loopback TCP port held bound but not listening for as long as this
// object lives: a connection to it is refused (ECONNREFUSED), and no other
// test running in parallel can take it meanwhile, as it could a port that
// FreeLoopbackPort found free and let go.
class RefusingLoopbackPort {
 public:
  RefusingLoopbackPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
  }
  ~RefusingLoopbackPort() {
    if (fd_ >= 0) close(fd_);
  }
  RefusingLoopbackPort(const RefusingLoopbackPort&) = delete;
  RefusingLoopbackPort& operator=(const RefusingLoopbackPort&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class StayRtrProcess {
 public:
  // protocol: the RTR version stayrtr speaks (its -protocol flag; 2 is
  // draft-ietf-sidrops-8210bis with ASPA). Its log goes to `log`.
  StayRtrProcess(const std::string& file, const std::string& log, int protocol = 2)
      : port_(FreeLoopbackPort()) {
    const std::string bind = "127.0.0.1:" + std::to_string(port_);
    const std::string proto = std::to_string(protocol);
    pid_ = fork();
    if (pid_ == 0) {
      // Its own process group, so that the kill reaches nothing else.
      setpgid(0, 0);
      if (!std::freopen(log.c_str(), "w", stderr)) _exit(126);
      dup2(STDERR_FILENO, STDOUT_FILENO);
      execlp("stayrtr", "stayrtr", "-bind", bind.c_str(), "-cache", file.c_str(),
             "-checktime=false", "-refresh", "1", "-metrics.addr", "", "-protocol", proto.c_str(),
             "-loglevel", "debug", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~StayRtrProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  StayRtrProcess(const StayRtrProcess&) = delete;
  StayRtrProcess& operator=(const StayRtrProcess&) = delete;

  bool started() const { return pid_ > 0 && port_ != 0; }
  uint16_t port() const { return port_; }
  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vigia::rpki::test
