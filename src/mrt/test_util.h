// Helpers shared by the MRT tests: locating ../shared/data, running
// commands, and decoding a file into text in-process.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/output_buffer.h"
#include "mrt/bgpdump_format.h"
#include "mrt/json_format.h"
#include "mrt/reader.h"

namespace vigia::mrt::test_util {

inline std::string SharedData() { return VIGIA_SHARED_DATA; }
inline bool HaveSharedData() { return std::filesystem::is_directory(SharedData() + "/mrt"); }

// Runs a shell command and returns its standard output.
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

inline bool HaveCommand(const std::string& name) {
  int rc = 0;
  RunCommand("command -v " + name + " >/dev/null 2>&1", &rc);
  return rc == 0;
}

struct Decoded {
  std::string text;
  std::vector<Problem> problems;
  uint64_t records = 0;
  uint64_t skipped = 0;
  ReaderStats stats;
  Status stream;
};

enum class Format { kBgpdumpM, kBgpdumpUpperM, kJson };

// Reads a whole input through the reader, decoder and a formatter.
inline Decoded DecodeAll(std::unique_ptr<io::InputStream> in, Format f) {
  Decoded d;
  MrtReader r(std::move(in), "test");
  r.set_problem_handler([&](const Problem& p) { d.problems.push_back(p); });
  Decoder dec;
  Record rec;
  OutputBuffer out;
  BgpdumpFormatter m(f == Format::kBgpdumpUpperM ? BgpdumpMode::kHumanTime
                                                 : BgpdumpMode::kUnixTime);
  JsonFormatter j;
  while (r.Next(&rec)) {
    ++d.records;
    if (!dec.Decode(rec).ok()) {
      ++d.skipped;
      continue;
    }
    if (f == Format::kJson) {
      j.Format(dec, &out);
    } else {
      m.Format(dec, &out);
    }
  }
  d.text = std::string(out.view());
  d.stats = r.stats();
  d.stream = r.stream_status();
  return d;
}

inline Decoded DecodeFile(const std::string& path, Format f, bool threaded = false) {
  auto in = io::InputStream::Open(path, {.threaded = threaded});
  if (!in.ok()) return {};
  return DecodeAll(std::move(in).value(), f);
}

inline Decoded DecodeBytes(const std::vector<uint8_t>& bytes, Format f) {
  return DecodeAll(io::InputStream::FromMemory(
                       {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}),
                   f);
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

}  // namespace vigia::mrt::test_util
