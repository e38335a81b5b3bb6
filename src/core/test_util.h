// Helpers shared by every test: locating ../shared/data, naming temporary
// directories, running commands (the built `vigia`, a `vigia serve` in the
// background, peers such as bgpdump or stayrtr) and splitting output.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace vigia::test_util {

// ../shared/data, or whatever the VIGIA_SHARED_DATA cache variable says.
inline std::string SharedData() { return VIGIA_SHARED_DATA; }
// True when SharedData()/sub exists; tests skip with a message otherwise.
inline bool HaveSharedData(const std::string& sub = "") {
  return std::filesystem::exists(SharedData() + "/" + sub);
}
// The built program, e.g. Vigia() + " irr check ...".
inline std::string Vigia() { return std::string(VIGIA_BINARY_DIR) + "/vigia"; }

// A path in the temporary directory named `prefix`, the running test's name
// and this process's id (e.g. /tmp/vigia_pipeline_Stores_1234); not created.
inline std::filesystem::path TestTempPath(const std::string& prefix) {
  return std::filesystem::temp_directory_path() /
         (prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
          std::to_string(::getpid()));
}

// A new, empty directory in the temporary directory named `prefix` and this
// process's id (e.g. /tmp/vigia_golden_1234); what was there is removed.
inline std::filesystem::path FreshTempDir(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A whole file's bytes ("" when it cannot be read).
inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// FreshTempDir for one test's scope: removed at the end of the test, also
// when an assertion ends it early.
struct ScopedTempDir {
  explicit ScopedTempDir(const std::string& prefix) : path(FreshTempDir(prefix)) {}
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  std::filesystem::path path;
};

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

// Runs `vigia ARGS` in the background (stdout to `out`, stderr to out.err)
// and waits up to `seconds` for the line "vigia: serving
// http://127.0.0.1:PORT"; returns the pid and sets *port (0 when no such
// line came). The caller stops it (kill, waitpid).
inline pid_t StartVigia(const std::string& args, const std::filesystem::path& out, int* port,
                        int seconds = 10) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd =
        Vigia() + " " + args + " > " + out.string() + " 2> " + out.string() + ".err";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string mark = "vigia: serving http://127.0.0.1:";
  *port = 0;
  for (int i = 0; i < seconds * 20 && *port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream f(out);
    for (std::string line; std::getline(f, line) && *port == 0;) {
      if (line.rfind(mark, 0) == 0) *port = std::stoi(line.substr(mark.size()));
    }
  }
  return pid;
}

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

// Writes a gzip file of `mib` MiB of zeros ("gzip bomb"): one member of
// 1 MiB of zeros (about 1 KiB, from gzip(1)) repeated, which RFC 1952 §2.2
// makes one stream. 1 GiB costs 1 MiB of disk and no compression time.
// False when gzip(1) is missing.
inline bool WriteGzipOfZeros(const std::string& path, size_t mib) {
  int rc = 0;
  const std::string member = RunCommand("head -c 1048576 /dev/zero | gzip -9 -c", &rc);
  if (rc != 0 || member.size() < 18) return false;
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < mib; ++i)
    out.write(member.data(), static_cast<std::streamsize>(member.size()));
  return static_cast<bool>(out);
}

struct ChildRun {
  int exit_code = -1;          // -1 when it did not exit normally
  uint64_t max_rss_bytes = 0;  // the child's peak resident memory
};

// Runs fn in a forked child and reports its exit code (fn's result) and peak
// memory, so that a test can bound what a loader allocates.
inline ChildRun RunInChild(const std::function<int()>& fn) {
  ChildRun r;
  const pid_t pid = fork();
  if (pid == 0) _exit(fn());
  if (pid < 0) return r;
  int status = 0;
  struct rusage ru {};
  if (wait4(pid, &status, 0, &ru) != pid) return r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux: KiB
  return r;
}

// Writes a gzip of `mib` MiB of zeros named `name` in a fresh temporary
// directory, runs load(path) in a child (its result is the child's exit
// code) and removes the directory. exit_code is -2 when gzip(1) is missing.
inline ChildRun LoadGzipBomb(const std::string& name,
                             const std::function<int(const std::string&)>& load,
                             size_t mib = 1024) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigia-bomb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  ChildRun run{-2, 0};
  if (WriteGzipOfZeros(path, mib)) run = RunInChild([&] { return load(path); });
  std::filesystem::remove_all(dir);
  return run;
}

// 0 when s is a kLimitExceeded error naming `cap` (e.g. "kMaxFileBytes"),
// else 1: the verdict a child loading a gzip bomb returns.
inline int RefusedNaming(const Status& s, std::string_view cap) {
  return s.code() == StatusCode::kLimitExceeded && s.message().find(cap) != std::string::npos ? 0
                                                                                              : 1;
}

// Loads a 1 GiB gzip bomb named `name` with load(path) in a child (see
// LoadGzipBomb) and expects load's verdict 0 within `max_rss` bytes of peak
// memory. False when gzip(1) is missing: the caller skips.
inline bool ExpectGzipBombHandled(const std::string& name, uint64_t max_rss,
                                  const std::function<int(const std::string&)>& load) {
  const ChildRun run = LoadGzipBomb(name, load);
  if (run.exit_code == -2) return false;
  EXPECT_EQ(run.exit_code, 0) << name;
  EXPECT_LT(run.max_rss_bytes, max_rss) << name << ": " << run.max_rss_bytes;
  return true;
}

}  // namespace vigia::test_util
