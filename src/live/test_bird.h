// Test-only: BIRD 2 as AS 65001 on 127.0.0.2 exporting static routes to a
// passive speaker (AS 65000) on 127.0.0.1, with ADD-PATH tx, graceful
// restart (3 s) and a 3 s hold time; its config, control socket, pid file
// and logs (bird.log, BIRD's own; bird.out, its stdout/stderr) in a test's
// directory. Used by the speaker's daemon test and the `vigia collect` CLI
// test. Thread safety: none (the test's thread).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/test_daemon.h"

namespace vigia::live::test {

// Whether bird and birdc are installed (Debian bird2, scripts/setup.sh).
inline bool HaveBird() {
  return ::access("/usr/sbin/bird", X_OK) == 0 && ::access("/usr/sbin/birdc", X_OK) == 0;
}

// Writes dir/bird.conf (BIRD on bird_port, the speaker on speaker_port,
// the static routes v4 and v6) and starts BIRD in the foreground.
inline std::unique_ptr<test_util::Daemon> StartBird(const std::filesystem::path& dir, int bird_port,
                                                    uint16_t speaker_port,
                                                    const std::vector<std::string>& v4,
                                                    const std::vector<std::string>& v6) {
  std::ofstream c(dir / "bird.conf");
  c << "router id 10.0.0.2;\nlog \"" << (dir / "bird.log").string()
    << "\" all;\ndebug protocols all;\nprotocol device {}\n";
  c << "protocol static s4 { ipv4;";
  for (const auto& p : v4) c << " route " << p << " blackhole;";
  c << " }\nprotocol static s6 { ipv6;";
  for (const auto& p : v6) c << " route " << p << " blackhole;";
  c << " }\nprotocol bgp vigia {\n  local 127.0.0.2 port " << bird_port << " as 65001;\n"
    << "  neighbor 127.0.0.1 port " << speaker_port << " as 65000;\n"
    << "  multihop; hold time 3; keepalive time 1; connect retry time 1; connect delay time 1;\n"
    << "  error wait time 1, 2;\n  graceful restart on; graceful restart time 3;\n"
    << "  ipv4 { import none; export all; add paths tx; };\n"
    << "  ipv6 { import none; export all; add paths tx; next hop address 2001:db8::1; };\n}\n";
  c.close();
  return std::make_unique<test_util::Daemon>(
      std::vector<std::string>{"/usr/sbin/bird", "-f", "-c", (dir / "bird.conf").string(), "-s",
                               (dir / "bird.ctl").string(), "-P", (dir / "bird.pid").string()},
      dir / "bird.out");
}

// `birdc <command>` against the BIRD started in dir, stdout and stderr.
inline std::string Birdc(const std::filesystem::path& dir, const std::string& command) {
  return test_util::Shell("/usr/sbin/birdc -s " + (dir / "bird.ctl").string() + " " + command);
}

// What BIRD exports to the speaker, as prefixes (`birdc show route export
// vigia`, both tables).
inline std::set<std::string> BirdExport(const std::filesystem::path& dir) {
  std::set<std::string> out;
  for (const char* table : {"master4", "master6"}) {
    std::istringstream in(Birdc(dir, std::string("show route export vigia table ") + table));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == ' ' || line.find('/') == std::string::npos) continue;
      const std::string first = line.substr(0, line.find_first_of(" \t"));
      if (first.find('/') != std::string::npos) out.insert(first);
    }
  }
  return out;
}

}  // namespace vigia::live::test
