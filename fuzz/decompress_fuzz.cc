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
//
// gzip input (1f 8b) also goes through both gzip decoders side by side: the
// build's default (ISA-L, gzip_decoder.cc; zlib in a build without ISA-L)
// and zlib's (gzip_zlib_decoder.cc, the fallback). They must agree on
// whether the input is good, and on its bytes when it is.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <span>
#include <string>

#include "io/decoder.h"
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

struct GzipResult {
  std::string out;
  vigia::Status status;
  bool capped = false;
};

GzipResult DecodeGzip(bool zlib, const uint8_t* data, size_t size) {
  using namespace vigia::io::internal;
  auto in = std::make_unique<InputBuffer>("<memory>",
                                          std::as_bytes(std::span<const uint8_t>(data, size)));
  std::unique_ptr<Decoder> d =
      zlib ? NewZlibGzipDecoder(std::move(in)) : NewGzipDecoder(std::move(in));
  GzipResult r;
  static std::byte buf[65536];
  for (size_t i = 0;; ++i) {
    const size_t want = kChunks[(i + 3) % std::size(kChunks)];
    const size_t got = d->Produce(buf, want);
    r.out.append(reinterpret_cast<const char*>(buf), got);
    if (got < want) break;
    if (r.out.size() >= kMaxOutput) {
      r.capped = true;
      return r;
    }
  }
  r.status = d->status();
  if (!r.status.ok() && r.status.message().empty()) {
    std::fprintf(stderr, "gzip decoder (%s): error status without a message\n",
                 zlib ? "zlib" : "default");
    std::abort();
  }
  return r;
}

void CompareGzipDecoders(const uint8_t* data, size_t size) {
  const GzipResult a = DecodeGzip(false, data, size);
  const GzipResult b = DecodeGzip(true, data, size);
  if (a.capped || b.capped) return;
  if (a.status.ok() != b.status.ok() || (a.status.ok() && a.out != b.out)) {
    std::fprintf(stderr, "gzip decoders disagree: default %s (%zu bytes), zlib %s (%zu bytes)\n",
                 a.status.ToString().c_str(), a.out.size(), b.status.ToString().c_str(),
                 b.out.size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigia::io::Compression;
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) CompareGzipDecoders(data, size);
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
