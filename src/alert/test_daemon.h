// Test-only helpers: start a real daemon (rsyslogd, aiosmtpd) in its own
// process group on loopback, wait for its port, kill it in the destructor;
// ports and waiting come from core/test_daemon.h. Thread safety: none (one test thread).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/test_daemon.h"

namespace vigia::alert::test {

// Ports and waiting: the helpers every daemon test shares.
using test_util::FreePort;
using test_util::TcpOpen;
using test_util::WaitFor;

// Unlike test_util::Daemon, stopped with SIGTERM first (rsyslogd and
// aiosmtpd flush what they received) and logging to a truncated file.
class Daemon {
 public:
  // argv[0] is the program path; stdout/stderr go to log_path.
  Daemon(std::vector<std::string> argv, const std::string& log_path) {
    // Everything the child needs is prepared before fork(): the test process
    // has other threads (HTTP servers), so the child calls only
    // async-signal-safe functions (setpgid, dup2, execv, _exit).
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    std::vector<char*> args;
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
    if (log >= 0) ::close(log);
  }
  ~Daemon() { Stop(); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  bool running() const { return pid_ > 0; }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace vigia::alert::test
