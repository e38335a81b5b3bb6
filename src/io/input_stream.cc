#include "io/input_stream.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <thread>
#include <utility>

#include "io/buffer_pool.h"
#include "io/decoder.h"
#include "io/threaded_stream.h"

namespace vigia::io {
namespace {

using internal::Buffer;
using internal::Decoder;
using internal::ErrnoText;
using internal::InputBuffer;
using internal::MakeDecoder;

// Large enough that a read() costs little per byte, small enough that the
// input buffer stays a minor part of the memory budget.
constexpr size_t kMaxInputBuffer = 256 << 10;
// The longest magic (xz) is 6 bytes; the gzip member lookahead needs 2.
constexpr size_t kMinInputBuffer = 16;
constexpr size_t kDetectBytes = 6;
// FromMemory is used by fuzzers on small inputs, where a 1 MiB chunk would be
// allocation cost for nothing.
constexpr size_t kMemoryChunkSize = 64 << 10;

// Decodes on the caller's thread. Small reads are served from a chunk
// buffer so that the decoders are called with a useful amount of room;
// reads of a chunk or more go straight into the caller's buffer.
class InlineStream final : public InputStream {
 public:
  InlineStream(std::unique_ptr<Decoder> decoder, size_t chunk_size, uint64_t compressed_size)
      : decoder_(std::move(decoder)),
        chunk_(Buffer::Pooled(chunk_size)),
        chunk_size_(chunk_size),
        compressed_size_(compressed_size) {}

  size_t Read(std::byte* buf, size_t n) override {
    size_t total = 0;
    while (total < n) {
      if (pos_ < len_) {
        const size_t k = std::min(len_ - pos_, n - total);
        std::memcpy(buf + total, chunk_.data() + pos_, k);
        pos_ += k;
        total += k;
        continue;
      }
      if (ended_) break;
      const size_t want = n - total;
      if (want >= chunk_size_) {
        const size_t got = decoder_->Produce(buf + total, want);
        total += got;
        if (got < want) End();
        continue;
      }
      pos_ = 0;
      len_ = decoder_->Produce(chunk_.data(), chunk_size_);
      if (len_ < chunk_size_) End();
    }
    return total;
  }

  const Status& status() const override { return status_; }
  Compression compression() const override { return decoder_->compression(); }
  uint64_t compressed_bytes_read() const override { return decoder_->compressed_offset(); }
  uint64_t compressed_size() const override { return compressed_size_; }

 private:
  void End() {
    ended_ = true;
    status_ = decoder_->status();
  }

  std::unique_ptr<Decoder> decoder_;
  Buffer chunk_;
  const size_t chunk_size_;
  const uint64_t compressed_size_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool ended_ = false;
  Status status_;
};

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "plain";
    case Compression::kGzip:
      return "gzip";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

Compression DetectCompression(std::span<const std::byte> head) {
  auto starts_with = [head](std::initializer_list<uint8_t> magic) {
    if (head.size() < magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), head.begin(),
                      [](uint8_t m, std::byte b) { return std::byte{m} == b; });
  };
  if (starts_with({0x1f, 0x8b})) return Compression::kGzip;
  // "BZh" alone is ordinary text; the block-size digit makes a false match
  // on a plain file much less likely.
  if (starts_with({'B', 'Z', 'h'}) && head.size() >= 4 && head[3] >= std::byte{'1'} &&
      head[3] <= std::byte{'9'}) {
    return Compression::kBzip2;
  }
  if (starts_with({0xfd, '7', 'z', 'X', 'Z', 0x00})) return Compression::kXz;
  if (starts_with({0x28, 0xb5, 0x2f, 0xfd})) return Compression::kZstd;
  return Compression::kNone;
}

InputStream::~InputStream() = default;

Result<std::unique_ptr<InputStream>> InputStream::Open(const std::string& path, OpenOptions opts) {
  if (opts.chunk_size == 0) {
    return Status::InvalidArgument(fmt::format("{}: chunk_size must be positive", path));
  }
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot open: {}", path, ErrnoText(errno)));
  auto in =
      std::make_unique<InputBuffer>(is_stdin ? "<stdin>" : path, fd, !is_stdin,
                                    std::clamp(opts.chunk_size, kMinInputBuffer, kMaxInputBuffer));

  uint64_t size = 0;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }

  in->FillAtLeast(kDetectBytes);
  if (!in->status().ok()) return in->status();
  const Compression c = DetectCompression({in->data(), in->size()});
  // bzip2 blocks decode on two worker threads when there are cores for it.
  const bool parallel = opts.threaded && std::thread::hardware_concurrency() >= 2;
  std::unique_ptr<Decoder> decoder = MakeDecoder(c, std::move(in), parallel);
  // Plain data has nothing to overlap but read(), which the kernel's
  // readahead already runs ahead of us; a thread would only add a copy.
  if (opts.threaded && c != Compression::kNone) {
    return std::unique_ptr<InputStream>(
        internal::NewThreadedStream(std::move(decoder), opts.chunk_size, size));
  }
  return std::unique_ptr<InputStream>(
      std::make_unique<InlineStream>(std::move(decoder), opts.chunk_size, size));
}

std::unique_ptr<InputStream> InputStream::FromMemory(std::span<const std::byte> data) {
  const Compression c = DetectCompression(data);
  auto in = std::make_unique<InputBuffer>("<memory>", data);
  return std::make_unique<InlineStream>(MakeDecoder(c, std::move(in)), kMemoryChunkSize,
                                        data.size());
}

}  // namespace vigia::io
