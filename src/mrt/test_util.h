// Helpers shared by the MRT tests: locating ../shared/data, running
// commands, and decoding a file into text in-process.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/output_buffer.h"
#include "core/test_util.h"
#include "mrt/bgpdump_format.h"
#include "mrt/json_format.h"
#include "mrt/reader.h"

namespace vigia::mrt::test_util {

using vigia::test_util::HaveCommand;
using vigia::test_util::Lines;
using vigia::test_util::RunCommand;
using vigia::test_util::SharedData;
inline bool HaveSharedData() { return std::filesystem::is_directory(SharedData() + "/mrt"); }

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
  return DecodeAll(
      io::InputStream::FromMemory({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}),
      f);
}

}  // namespace vigia::mrt::test_util
