// The live lab's machinery: network namespaces joined by a Linux bridge
// (one namespace per daemon, the peering LAN in IPv4 and IPv6), daemons
// started inside them in their own process groups, and readers of what
// the route servers hold (BIRD's `birdc show route`, OpenBGPD's
// `bgpctl -j show rib detail`).
//
// Everything made here is undone by destructors (RAII): a Daemon is killed
// (SIGTERM, then SIGKILL) and reaped, a Netns deleted, also when a test
// fails half way. Names carry the test's pid, so two runs never collide,
// and nothing touches a non-loopback network of the host: the bridge and
// its veth pairs live only inside the lab's namespaces.
//
// Needs root (network namespaces). Single-threaded; one Lab per process.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vigia::ixp_lab {

struct Cmd {
  int exit = -1;    // exit code, -1 when the command did not exit normally
  std::string out;  // standard output and standard error together
};

// Runs `cmd` with /bin/sh, standard error folded into the output.
inline Cmd Sh(const std::string& cmd) {
  Cmd r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Single quotes for /bin/sh.
inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Polls `ready` every `poll` until it holds or `timeout` passes; its last
// answer. Waits no longer than needed.
inline bool WaitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(200)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(poll);
  }
}

// A network namespace, deleted (with the devices in it) on destruction.
class Netns {
 public:
  explicit Netns(std::string name) : name_(std::move(name)) {
    const Cmd c = Sh("ip netns add " + name_);
    ok_ = c.exit == 0;
    error_ = c.out;
    if (ok_) Sh("ip -n " + name_ + " link set lo up");
  }
  ~Netns() {
    if (ok_) Sh("ip netns del " + name_);
  }
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  // `cmd` run inside the namespace.
  Cmd Run(const std::string& cmd) const { return Sh("ip netns exec " + name_ + " " + cmd); }

 private:
  std::string name_;
  bool ok_ = false;
  std::string error_;
};

// A program run in the foreground inside a namespace, in its own process
// group, its output to `log`. Stopped on destruction.
class Daemon {
 public:
  Daemon(const std::string& ns, const std::vector<std::string>& argv, const std::string& log,
         const std::vector<std::string>& env = {})
      : log_(log) {
    std::vector<std::string> args = {"ip", "netns", "exec", ns};
    if (!env.empty()) {
      args.push_back("env");
      args.insert(args.end(), env.begin(), env.end());
    }
    args.insert(args.end(), argv.begin(), argv.end());
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) _exit(126);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null >= 0) dup2(null, STDIN_FILENO);
      std::vector<char*> cargv;
      for (auto& a : args) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      execvp(cargv[0], cargv.data());
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
  }
  ~Daemon() { Stop(); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  bool Alive() {
    if (pid_ <= 0) return false;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        kill(-pid_, SIGKILL);  // whatever it forked and left behind
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string Log() const {
    std::string s;
    if (FILE* f = std::fopen(log_.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
      std::fclose(f);
    }
    return s;
  }
  // The last `n` bytes of the log, for failure messages.
  std::string Tail(size_t n = 2000) const {
    const std::string s = Log();
    return s.size() <= n ? s : s.substr(s.size() - n);
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// A peering LAN: a namespace holding bridge br0, and one namespace per
// node, each joined to the bridge by a veth pair whose node end is eth0
// with an IPv4 /24 and an IPv6 /64 address (no duplicate address detection,
// so the addresses are usable at once).
class Lan {
 public:
  explicit Lan(std::string prefix) : prefix_(std::move(prefix)) {
    lan_ = std::make_unique<Netns>(prefix_ + "-lan");
    if (!lan_->ok()) {
      error_ = lan_->error();
      return;
    }
    Must("ip -n " + lan_->name() + " link add br0 type bridge");
    Must("ip -n " + lan_->name() + " link set br0 up");
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Adds node `name` (a few letters) and returns its namespace name.
  std::string AddNode(const std::string& name, const std::string& v4_cidr,
                      const std::string& v6_cidr) {
    auto ns = std::make_unique<Netns>(prefix_ + "-" + name);
    if (!ns->ok()) {
      error_ = ns->error();
      return "";
    }
    const std::string n = ns->name(), l = lan_->name(), peer = "p" + name;
    // Before eth0 exists, so that it (and its link-local address) skips DAD.
    Must("ip netns exec " + n +
         " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
    Must("ip link add eth0 netns " + n + " type veth peer name " + peer + " netns " + l);
    Must("ip -n " + l + " link set " + peer + " master br0");
    Must("ip -n " + l + " link set " + peer + " up");
    Must("ip -n " + n + " addr add " + v4_cidr + " dev eth0");
    Must("ip -n " + n + " addr add " + v6_cidr + " dev eth0 nodad");
    Must("ip -n " + n + " link set eth0 up");
    nodes_.push_back(std::move(ns));
    return n;
  }

 private:
  void Must(const std::string& cmd) {
    if (!error_.empty()) return;
    const Cmd c = Sh(cmd);
    if (c.exit != 0) error_ = cmd + ": " + c.out;
  }
  std::string prefix_, error_;
  // Declared in this order so that the nodes go first (a node's veth goes
  // with its namespace), then the LAN.
  std::unique_ptr<Netns> lan_;
  std::vector<std::unique_ptr<Netns>> nodes_;
};

// One route as BIRD shows it (`show route ... all`).
struct BirdRoute {
  std::string prefix, table, protocol;
  std::string as_path, next_hop;
  std::vector<std::string> communities;        // "(65535,65281)"
  std::vector<std::array<uint64_t, 3>> large;  // (a, b, c)
};

inline std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

// Parses the text of `birdc show route [table all] [filtered] all`. Only
// the lines it needs: the route heads and the BGP attributes.
inline std::vector<BirdRoute> ParseBirdRoutes(const std::string& text) {
  std::vector<BirdRoute> out;
  std::string table, prefix;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Table ", 0) == 0) {
      table = Trim(line.substr(6));
      if (!table.empty() && table.back() == ':') table.pop_back();
      continue;
    }
    if (line.empty() || line.rfind("BIRD ", 0) == 0) continue;
    const size_t bracket = line.find(" [");
    if (line[0] != ' ' && line[0] != '\t' && bracket != std::string::npos) {
      prefix = line.substr(0, line.find_first_of(" \t"));
    }
    if (line[0] != '\t' && bracket != std::string::npos) {
      BirdRoute r;
      r.prefix = prefix;
      r.table = table;
      const size_t end = line.find_first_of(" ]", bracket + 2);
      r.protocol = line.substr(bracket + 2, end - bracket - 2);
      out.push_back(std::move(r));
      continue;
    }
    if (out.empty()) continue;
    const std::string t = Trim(line);
    const auto value = [&](const std::string& key) -> const char* {
      return t.rfind(key, 0) == 0 ? t.c_str() + key.size() : nullptr;
    };
    if (const char* v = value("BGP.as_path:")) {
      out.back().as_path = Trim(v);
    } else if (const char* nh = value("BGP.next_hop:")) {
      out.back().next_hop = Trim(nh);
    } else if (const char* c = value("BGP.community:")) {
      std::istringstream cs(c);
      for (std::string w; cs >> w;) out.back().communities.push_back(w);
    } else if (const char* l = value("BGP.large_community:")) {
      // "(59900, 1101, 13) (59900, 1000, 2)"
      std::string s = l;
      for (size_t p = s.find('('); p != std::string::npos; p = s.find('(', p + 1)) {
        std::array<uint64_t, 3> lc{};
        if (std::sscanf(s.c_str() + p, "(%lu, %lu, %lu)", &lc[0], &lc[1], &lc[2]) == 3) {
          out.back().large.push_back(lc);
        }
      }
    }
  }
  return out;
}

// Parses `bgpctl -j show rib detail` (OpenBGPD 7): every path, as a
// BirdRoute (table "rib", protocol = the neighbor's address).
inline std::vector<BirdRoute> ParseOpenBgpdRib(const std::string& json) {
  std::vector<BirdRoute> out;
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("rib") || !j["rib"].is_array()) return out;
  for (const auto& e : j["rib"]) {
    BirdRoute r;
    r.table = "rib";
    r.prefix = e.value("prefix", "");
    r.as_path = e.value("aspath", "");
    r.next_hop = e.value("exit_nexthop", "");
    if (e.contains("neighbor") && e["neighbor"].is_object())
      r.protocol = e["neighbor"].value("remote_addr", "");
    if (e.contains("communities") && e["communities"].is_array()) {
      for (const auto& c : e["communities"]) {
        if (c.is_string()) r.communities.push_back(c.get<std::string>());
      }
    }
    if (e.contains("large_communities") && e["large_communities"].is_array()) {
      for (const auto& c : e["large_communities"]) {
        std::array<uint64_t, 3> lc{};
        if (c.is_string() &&
            std::sscanf(c.get<std::string>().c_str(), "%lu:%lu:%lu", &lc[0], &lc[1], &lc[2]) == 3)
          r.large.push_back(lc);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vigia::ixp_lab
