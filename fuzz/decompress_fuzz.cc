// Fuzz target for io::InputStream: arbitrary bytes, which DetectCompression
// sends to the plain, gzip, bzip2, xz or zstd decoder, read to the end in
// small chunks of varying size so that every buffer boundary is crossed.
//
// It checks the contract of input_stream.h: a short read means the end, and
// every later Read returns 0; once at the end status() is OK or an error
// with a message; uncompressed input comes back unchanged; the compressed
// position never passes the compressed size. Output is capped at 8 MiB per
// input: 64 KiB of bzip2 or xz can expand to gigabytes, and reading those in
// small chunks would turn every such input into a timeout.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <span>
#include <string>

#include "io/input_stream.h"

namespace {

constexpr size_t kMaxOutput = 8 << 20;
// Chunk sizes in turn: primes and powers of two, small enough to split
// every header and block, large enough to get through megabytes.
constexpr size_t kChunks[] = {1, 7, 64, 509, 4096, 3, 65536, 16};

[[noreturn]] void Fail(const char* what, const vigia::io::InputStream& in) {
  std::fprintf(stderr,
               "input_stream contract broken: %s (%s stream, compressed %llu of %llu bytes read, "
               "status %s)\n",
               what, std::string(vigia::io::CompressionName(in.compression())).c_str(),
               static_cast<unsigned long long>(in.compressed_bytes_read()),
               static_cast<unsigned long long>(in.compressed_size()),
               in.status().ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigia::io::Compression;
  auto in = vigia::io::InputStream::FromMemory(std::as_bytes(std::span<const uint8_t>(data, size)));
  const bool plain = in->compression() == Compression::kNone;
  if (in->compressed_size() != size) Fail("compressed_size() is not the input size", *in);

  static std::byte buf[65536];
  size_t total = 0;
  bool ended = false;
  for (size_t i = 0; total < kMaxOutput; ++i) {
    const size_t want = kChunks[i % std::size(kChunks)];
    const size_t got = in->Read(buf, want);
    if (got > want) Fail("Read returned more than asked for", *in);
    if (plain && (total + got > size || std::memcmp(buf, data + total, got) != 0)) {
      Fail("plain input did not come back unchanged", *in);
    }
    total += got;
    if (in->compressed_bytes_read() > in->compressed_size()) {
      Fail("compressed_bytes_read() passed compressed_size()", *in);
    }
    if (got < want) {
      ended = true;
      break;
    }
  }
  if (!ended) return 0;  // stopped at the output cap

  if (in->Read(buf, 1) != 0 || in->Read(buf, sizeof buf) != 0) {
    Fail("Read after the end was not 0", *in);
  }
  if (plain && total != size) Fail("plain input came back shorter", *in);
  const vigia::Status& s = in->status();
  if (!s.ok() && s.message().empty()) Fail("error status without a message", *in);
  if (plain && !s.ok()) Fail("plain input ended with an error", *in);
  return 0;
}
