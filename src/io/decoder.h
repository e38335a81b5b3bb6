// The decoder layer behind InputStream: InputBuffer (the compressed bytes of
// one source, refilled from a file descriptor or held in memory) and Decoder
// (compressed bytes in, plain bytes out), with one Decoder subclass per
// format, each in its own file: plain_decoder in decoder.cc, gzip_decoder.cc
// (ISA-L) with gzip_zlib_decoder.cc (zlib: the fallback without ISA-L and
// the tests' reference), bzip2_decoder.cc and bzip2_parallel_decoder.cc (libbz2),
// xz_decoder.cc (liblzma), zstd_decoder.cc (libzstd).
//
// A new format is one more Decoder subclass in its own file, a factory
// declared here, a case in MakeDecoder and its magic in DetectCompression.
//
// Ownership: a Decoder owns its InputBuffer, which owns its file descriptor
// when told to.
//
// Thread safety: a Decoder and its InputBuffer are used by one thread at a
// time (the parallel bzip2 decoder runs worker threads of its own, invisibly).
// Internal to src/io.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/status.h"
#include "io/buffer_pool.h"
#include "io/input_stream.h"

namespace vigia::io::internal {

// libbz2 and ISA-L count buffer lengths in 32 bits.
inline constexpr size_t kMaxCallBytes = size_t{1} << 30;

// std::strerror may share a static buffer between threads; the decoder
// thread also reports read errors.
inline std::string ErrnoText(int err) { return std::generic_category().message(err); }

inline uint8_t* AsU8(std::byte* p) { return reinterpret_cast<uint8_t*>(p); }

// The compressed bytes waiting for a decoder. Backed either by a file
// descriptor, refilled on demand, or by a private copy of an in-memory
// buffer, which is then the whole input and never refilled.
class InputBuffer {
 public:
  InputBuffer(std::string name, int fd, bool owns_fd, size_t capacity)
      : name_(std::move(name)), fd_(fd), owns_fd_(owns_fd), storage_(Buffer::Pooled(capacity)) {}

  InputBuffer(std::string name, std::span<const std::byte> data)
      : name_(std::move(name)), storage_(Buffer::CopyOf(data)), end_(data.size()), eof_(true) {}

  ~InputBuffer() {
    if (owns_fd_) ::close(fd_);
  }

  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  const std::string& name() const { return name_; }
  // The decoders' C interfaces take non-const input pointers.
  std::byte* data() { return storage_.data() + begin_; }
  size_t size() const { return end_ - begin_; }
  size_t capacity() const { return storage_.size(); }
  // Compressed bytes handed to a decoder so far.
  uint64_t offset() const { return offset_; }
  // True once the source has nothing more: what size() shows is the rest.
  bool exhausted() const { return eof_; }
  // Not OK after a failed read(); exhausted() is then true as well.
  const Status& status() const { return status_; }

  void Consume(size_t n) {
    begin_ += n;
    offset_ += n;
  }

  // Reads more from the source, keeping the unconsumed bytes. False when
  // nothing was added: end of source, a read error, or a full buffer.
  bool Refill() {
    if (eof_) return false;
    if (begin_ > 0) {
      if (size() > 0) std::memmove(storage_.data(), data(), size());
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == storage_.size()) return false;
    const size_t got = ReadFd(storage_.data() + end_, storage_.size() - end_);
    end_ += got;
    return got > 0;
  }

  // Refills until at least n bytes are buffered or the source ends.
  void FillAtLeast(size_t n) {
    while (size() < n && Refill()) {
    }
  }

  // For plain data: reads straight into dst, sparing a copy through the
  // buffer, which must be empty.
  size_t ReadDirect(std::byte* dst, size_t n) {
    if (eof_) return 0;
    const size_t got = ReadFd(dst, n);
    offset_ += got;
    return got;
  }

 private:
  size_t ReadFd(std::byte* dst, size_t n) {
    for (;;) {
      const ssize_t r = ::read(fd_, dst, n);
      if (r > 0) return static_cast<size_t>(r);
      if (r < 0 && errno == EINTR) continue;
      eof_ = true;
      if (r < 0) {
        status_ = Status::IoError(fmt::format("{}: read failed at compressed offset {}: {}", name_,
                                              offset_ + size(), ErrnoText(errno)));
      }
      return 0;
    }
  }

  std::string name_;
  int fd_ = -1;
  bool owns_fd_ = false;
  Buffer storage_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
  bool eof_ = false;
  Status status_;
};

// Turns the compressed bytes of an InputBuffer into plain bytes. One
// subclass per format, each a Step(); Produce() repeats it until the
// caller's buffer is full or the data has ended, so that a short count
// always means the end.
class Decoder {
 public:
  Decoder(Compression compression, std::unique_ptr<InputBuffer> in)
      : compression_(compression), in_(std::move(in)) {}
  virtual ~Decoder() = default;

  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Writes up to n bytes; fewer only once finished(), and then status()
  // tells a clean end from an error.
  size_t Produce(std::byte* out, size_t n) {
    size_t total = 0;
    while (total < n && !finished_) total += Step(out + total, n - total);
    return total;
  }

  bool finished() const { return finished_; }
  const Status& status() const { return status_; }
  Compression compression() const { return compression_; }
  uint64_t compressed_offset() const { return in_->offset(); }

 protected:
  // One step into out[0, n), n > 0: one call into the codec, a refill, or
  // the start of the next stream. Returns the bytes written; a step that
  // writes none must make progress or finish the decoder.
  virtual size_t Step(std::byte* out, size_t n) = 0;

  InputBuffer& in() { return *in_; }
  void CountOutput(size_t n) { output_bytes_ += n; }
  void Finish() { finished_ = true; }
  void Fail(Status status) {
    finished_ = true;
    status_ = std::move(status);
  }
  void FailTruncated() {
    Fail(Status::Truncated(
        fmt::format("{}: {} stream truncated at compressed offset {} (after {} bytes of output)",
                    in_->name(), CompressionName(compression_), in_->offset(), output_bytes_)));
  }
  void FailCorrupt(std::string_view what) {
    Fail(Status::Corrupt(fmt::format(
        "{}: corrupt {} data at compressed offset {} (after {} bytes of output): {}", in_->name(),
        CompressionName(compression_), in_->offset(), output_bytes_, what)));
  }
  void FailTrailingGarbage(uint64_t offset) {
    Fail(Status::Corrupt(fmt::format(
        "{}: trailing garbage after {} data at compressed offset {} (after {} bytes of output)",
        in_->name(), CompressionName(compression_), offset, output_bytes_)));
  }
  void FailResource(std::string_view what) {
    Fail(Status::IoError(fmt::format("{}: {}", in_->name(), what)));
  }

  // Asks the source for more input. False when none came; if the source
  // failed, the decoder has failed with its status, and a decoder that sits
  // on a full buffer without progress is corrupt rather than truncated.
  bool MoreInput() {
    if (in_->Refill()) return true;
    if (!in_->status().ok()) {
      Fail(in_->status());
    } else if (!in_->exhausted()) {
      FailCorrupt("decoder made no progress on a full input buffer");
    }
    return false;
  }

  // Before a decoder call: an empty buffer is refilled unless the source has
  // ended. False when that refill failed the decoder.
  bool EnsureInput() {
    if (in_->size() == 0 && !in_->exhausted()) MoreInput();
    return !finished_;
  }

 private:
  const Compression compression_;
  std::unique_ptr<InputBuffer> in_;
  uint64_t output_bytes_ = 0;
  bool finished_ = false;
  Status status_;
};

std::unique_ptr<Decoder> NewPlainDecoder(std::unique_ptr<InputBuffer> in);
// gzip through ISA-L when the build has it (see src/io/CMakeLists.txt), else zlib.
std::unique_ptr<Decoder> NewGzipDecoder(std::unique_ptr<InputBuffer> in);
// gzip through zlib, always built: the fallback, and the reference that
// tests and the decompress fuzzer compare the ISA-L decoder with.
std::unique_ptr<Decoder> NewZlibGzipDecoder(std::unique_ptr<InputBuffer> in);
std::unique_ptr<Decoder> NewBzip2Decoder(std::unique_ptr<InputBuffer> in);
// Decodes bzip2 blocks on two worker threads (bzip2_parallel_decoder.cc).
std::unique_ptr<Decoder> NewParallelBzip2Decoder(std::unique_ptr<InputBuffer> in);
std::unique_ptr<Decoder> NewXzDecoder(std::unique_ptr<InputBuffer> in);
std::unique_ptr<Decoder> NewZstdDecoder(std::unique_ptr<InputBuffer> in);

// The decoder for c; parallel picks the two-thread bzip2 decoder.
std::unique_ptr<Decoder> MakeDecoder(Compression c, std::unique_ptr<InputBuffer> in,
                                     bool parallel = false);

// libbz2's return code as text, shared by both bzip2 decoders.
const char* Bzip2ErrorText(int ret);

}  // namespace vigia::io::internal
