// Test-only helpers for tests that run real daemons (BIRD, ExaBGP, FRR,
// GoBGP, the built `vigia`) on loopback: a child process in its own process
// group whose output goes to a log file, killed and reaped by its
// destructor; free loopback ports; waiting for a condition with a time
// limit; running a shell command with its stderr. Thread safety: none (one
// test thread owns each object); the child is prepared before fork() so
// that tests with other threads running may use it.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/test_util.h"

extern char** environ;

namespace vigia::test_util {

// A process in its own process group, stdout and stderr appended to `log`,
// `env` entries ("NAME=value") added to (or replacing in) the environment.
class Daemon {
 public:
  Daemon(std::vector<std::string> argv, const std::filesystem::path& log,
         std::vector<std::string> env = {}) {
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      bool replaced = false;
      for (const auto& x : env) {
        replaced = replaced || kv.substr(0, kv.find('=') + 1) == x.substr(0, x.find('=') + 1);
      }
      if (!replaced) envs.push_back(kv);
    }
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> args, envp;
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    for (auto& s : envs) envp.push_back(s.data());
    envp.push_back(nullptr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls in the child.
      ::setpgid(0, 0);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
      }
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
    if (fd >= 0) ::close(fd);
  }
  ~Daemon() { Kill(); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // `sig` to the process itself.
  void Signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // `sig` to its whole process group (e.g. SIGSTOP to freeze a daemon).
  void SignalGroup(int sig) {
    if (pid_ > 0) ::kill(-pid_, sig);
  }
  // Waits up to `limit` for the process to exit; its wait status, or -1.
  // What it left in its group is killed.
  int Wait(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        ::kill(-pid_, SIGKILL);
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  // SIGTERM, then its exit code (test_util::Exit); -1 when it had to be
  // killed after `limit`.
  int Terminate(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return -1;
    Signal(SIGTERM);
    const int status = Wait(limit);
    if (status == -1) {
      Kill();
      return -1;
    }
    return Exit(status);
  }
  // SIGKILL to the group (continued first, in case it was stopped), reaped.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGCONT);
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// A loopback port free right now for `type` (SOCK_STREAM or SOCK_DGRAM).
inline int FreePort(int type = SOCK_STREAM) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Whether a TCP connection to 127.0.0.1:port is accepted.
inline bool TcpOpen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Waits up to `limit` until pred() holds, checking every `every`; whether
// it did.
inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds limit = std::chrono::seconds(15),
                    std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);
  }
  return pred();
}

// A shell command's stdout and stderr together; *status gets the wait
// status.
inline std::string Shell(const std::string& cmd, int* status = nullptr) {
  return RunCommand(cmd + " 2>&1", status);
}

}  // namespace vigia::test_util
