// Fuzz target for the MRT pipeline: arbitrary bytes, possibly compressed,
// go through the same stages as `vigia mrt dump` (InputStream, MrtReader,
// Decoder) and every decoded entry is printed by all three formatters.
//
// Output stays in memory (OutputBuffer with fd -1) and is cleared after each
// record, so a long input costs no more memory than its largest record. The
// record cap is 1 MiB rather than the default 16 MiB: the fuzzer's inputs are
// at most 64 KiB, and a smaller cap keeps each run's buffers small.
//
// Besides memory errors it checks one accounting rule the `mrt stats`
// summary relies on: on uncompressed input the reader cannot consume or skip
// more bytes than there are.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>

#include "core/output_buffer.h"
#include "io/input_stream.h"
#include "mrt/bgpdump_format.h"
#include "mrt/decoder.h"
#include "mrt/json_format.h"
#include "mrt/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span<const uint8_t>(data, size)));
  const bool plain = in->compression() == io::Compression::kNone;
  mrt::ReaderOptions opts;
  opts.max_record_size = 1 << 20;
  mrt::MrtReader reader(std::move(in), "<fuzz>", opts);
  size_t problems = 0;
  reader.set_problem_handler([&](const mrt::Problem& p) {
    if (p.message.empty()) {
      std::fprintf(stderr, "problem of kind %d at offset %llu has no message\n",
                   static_cast<int>(p.kind), static_cast<unsigned long long>(p.offset));
      std::abort();
    }
    ++problems;
  });

  mrt::Decoder decoder;
  mrt::BgpdumpFormatter unix_time(mrt::BgpdumpMode::kUnixTime);
  mrt::BgpdumpFormatter human_time(mrt::BgpdumpMode::kHumanTime);
  mrt::JsonFormatter json;
  OutputBuffer out(-1);
  mrt::Record rec;
  while (reader.Next(&rec)) {
    if (!decoder.Decode(rec).ok()) continue;
    unix_time.Format(decoder, &out);
    human_time.Format(decoder, &out);
    json.Format(decoder, &out);
    out.Clear();
  }

  const mrt::ReaderStats& stats = reader.stats();
  if (plain && stats.bytes + stats.skipped_bytes > size) {
    std::fprintf(stderr, "reader accounted %llu + %llu skipped bytes of a %zu-byte input\n",
                 static_cast<unsigned long long>(stats.bytes),
                 static_cast<unsigned long long>(stats.skipped_bytes), size);
    std::abort();
  }
  return 0;
}
