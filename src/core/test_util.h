// Helpers shared by every test: locating ../shared/data, running commands
// (the built `vigia`, peers such as bgpdump or stayrtr) and splitting output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace vigia::test_util {

// ../shared/data, or whatever the VIGIA_SHARED_DATA cache variable says.
inline std::string SharedData() { return VIGIA_SHARED_DATA; }
// True when SharedData()/sub exists; tests skip with a message otherwise.
inline bool HaveSharedData(const std::string& sub = "") {
  return std::filesystem::exists(SharedData() + "/" + sub);
}
// The built program, e.g. Vigia() + " irr check ...".
inline std::string Vigia() { return std::string(VIGIA_BINARY_DIR) + "/vigia"; }

// Runs a shell command and returns its standard output; *status gets the
// wait status (use WEXITSTATUS).
inline std::string RunCommand(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (status) *status = rc;
  return out;
}

// The exit code of a wait status (RunCommand's), or -1 if it did not exit.
inline int Exit(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

inline bool HaveCommand(const std::string& name) {
  int rc = 0;
  RunCommand("command -v " + name + " >/dev/null 2>&1", &rc);
  return rc == 0;
}

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace vigia::test_util
