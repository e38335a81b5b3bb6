#include "io/input_stream.h"

#include <bzlib.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace vigia::io {
namespace {

// Large enough that a read() costs little per byte, small enough that the
// input buffer stays a minor part of the memory budget.
constexpr size_t kMaxInputBuffer = 256 << 10;
// The longest magic (xz) is 6 bytes; the gzip member lookahead needs 2.
constexpr size_t kMinInputBuffer = 16;
constexpr size_t kDetectBytes = 6;
// FromMemory is used by fuzzers on small inputs, where a 1 MiB chunk would be
// allocation cost for nothing.
constexpr size_t kMemoryChunkSize = 64 << 10;
// Four chunks let the decoder run ahead of a parser that is briefly slower,
// without letting a fast decoder fill memory.
constexpr size_t kRingSlots = 4;
// libbz2 and ISA-L count buffer lengths in 32 bits.
constexpr size_t kMaxCallBytes = size_t{1} << 30;

// std::strerror may share a static buffer between threads; the decoder
// thread also reports read errors.
std::string ErrnoText(int err) { return std::generic_category().message(err); }

uint8_t* AsU8(std::byte* p) { return reinterpret_cast<uint8_t*>(p); }

// Chunk and input buffers go back to a small process-wide pool when their
// stream closes, for the next stream to reuse. A replay opens thousands of
// archive files one after another, and fresh memory costs a page fault per
// 4 KiB on first touch: on our 2-core VMs, faulting in a 4 MiB ring took
// about 10 ms, as long as decoding a whole 13 MB updates file.
constexpr size_t kMaxPooledBytes = 16 << 20;
constexpr size_t kMaxPooledBuffers = 16;

struct BufferPool {
  std::mutex mu;
  // Oldest first; the oldest are evicted when the pool is over its caps.
  std::vector<std::pair<size_t, std::unique_ptr<std::byte[]>>> free;  // guarded by mu
  size_t bytes = 0;                                                   // guarded by mu
};

// Never destroyed, so that a stream closed during static destruction can
// still return its buffers.
BufferPool& Pool() {
  static BufferPool* const pool = new BufferPool();
  return *pool;
}

// A fixed-size byte array, drawn from the pool (unless it is a private copy
// of caller data) and returned to it on destruction.
class Buffer {
 public:
  Buffer() = default;

  static Buffer Pooled(size_t size) {
    Buffer b;
    b.size_ = size;
    b.pooled_ = true;
    {
      BufferPool& pool = Pool();
      std::lock_guard lock(pool.mu);
      for (auto it = pool.free.rbegin(); it != pool.free.rend(); ++it) {
        if (it->first != size) continue;
        b.data_ = std::move(it->second);
        pool.free.erase(std::next(it).base());
        pool.bytes -= size;
        return b;
      }
    }
    b.data_ = std::make_unique_for_overwrite<std::byte[]>(size);
    return b;
  }

  static Buffer CopyOf(std::span<const std::byte> bytes) {
    Buffer b;
    b.size_ = bytes.size();
    b.data_ = std::make_unique_for_overwrite<std::byte[]>(bytes.size());
    if (!bytes.empty()) std::memcpy(b.data_.get(), bytes.data(), bytes.size());
    return b;
  }

  Buffer(Buffer&& other) noexcept
      : data_(std::move(other.data_)), size_(other.size_), pooled_(other.pooled_) {}
  Buffer& operator=(Buffer&& other) noexcept {
    Release();
    data_ = std::move(other.data_);
    size_ = other.size_;
    pooled_ = other.pooled_;
    return *this;
  }
  ~Buffer() { Release(); }

  std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  void Release() {
    if (!pooled_ || data_ == nullptr || size_ > kMaxPooledBytes) return;
    std::vector<std::unique_ptr<std::byte[]>> evicted;
    BufferPool& pool = Pool();
    std::lock_guard lock(pool.mu);
    pool.free.emplace_back(size_, std::move(data_));
    pool.bytes += size_;
    while (pool.bytes > kMaxPooledBytes || pool.free.size() > kMaxPooledBuffers) {
      pool.bytes -= pool.free.front().first;
      evicted.push_back(std::move(pool.free.front().second));
      pool.free.erase(pool.free.begin());
    }
  }

  std::unique_ptr<std::byte[]> data_;
  size_t size_ = 0;
  bool pooled_ = false;
};

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
// subclass per format; each loops until the caller's buffer is full or the
// data has ended, so that a short count always means the end.
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
    if (finished_ || n == 0) return 0;
    return Decode(out, n);
  }

  bool finished() const { return finished_; }
  const Status& status() const { return status_; }
  Compression compression() const { return compression_; }
  uint64_t compressed_offset() const { return in_->offset(); }

 protected:
  virtual size_t Decode(std::byte* out, size_t n) = 0;

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

class PlainDecoder final : public Decoder {
 public:
  explicit PlainDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kNone, std::move(in)) {}

 private:
  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    size_t total = 0;
    while (total < n && !finished()) {
      if (b.size() > 0) {
        const size_t k = std::min(b.size(), n - total);
        std::memcpy(out + total, b.data(), k);
        b.Consume(k);
        total += k;
        continue;
      }
      if (n - total >= b.capacity()) {
        const size_t got = b.ReadDirect(out + total, n - total);
        total += got;
        if (got > 0) continue;
      } else if (MoreInput()) {
        continue;
      }
      if (finished()) break;
      if (b.status().ok()) {
        Finish();
      } else {
        Fail(b.status());
      }
    }
    return total;
  }
};

const char* IsalErrorText(int ret) {
  switch (ret) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "gzip CRC-32 or length mismatch";
    default:
      return "ISA-L inflate error";
  }
}

// gzip through ISA-L's igzip rather than zlib: its inflate runs about twice
// as fast on the same core (2.1x zlib's gzread on a 13 MB MRT updates file
// when this was written), and gzip is RIPE RIS's format, the largest archive
// we replay, so this is where a replay spends its decompression time.
//
// A gzip file may hold several members back to back (`cat a.gz b.gz`, or a
// collector that appends); each is decoded in turn and their outputs
// concatenated, as RFC 1952 §2.2 asks. Zero bytes after the last member
// (block padding from tape or some uploaders) are ignored as gzip(1) does;
// anything else after a member is reported with its offset.
class GzipDecoder final : public Decoder {
 public:
  explicit GzipDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kGzip, std::move(in)), state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    // Makes isal_inflate parse the member header and verify the trailer.
    state_->crc_flag = ISAL_GZIP;
  }

 private:
  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    inflate_state& s = *state_;
    size_t total = 0;
    while (total < n && !finished()) {
      if (!in_member_) {
        SeekNextMember();
        continue;
      }
      if (!EnsureInput()) break;
      const size_t in_room = std::min(b.size(), kMaxCallBytes);
      const size_t out_room = std::min(n - total, kMaxCallBytes);
      s.next_in = AsU8(b.data());
      s.avail_in = static_cast<uint32_t>(in_room);
      s.next_out = AsU8(out + total);
      s.avail_out = static_cast<uint32_t>(out_room);
      const int ret = isal_inflate(&s);
      // On some errors ISA-L leaves avail_in above what it was given (seen:
      // 0xFFFFFFFF); never let that turn into a huge consumed count.
      const size_t used = s.avail_in <= in_room ? in_room - s.avail_in : 0;
      const size_t got = s.avail_out <= out_room ? out_room - s.avail_out : 0;
      b.Consume(used);
      total += got;
      CountOutput(got);
      if (ret < 0) {
        FailCorrupt(IsalErrorText(ret));
      } else if (s.block_state == ISAL_BLOCK_FINISH) {
        in_member_ = false;
      } else if (used == 0 && got == 0 && !MoreInput() && !finished()) {
        FailTruncated();
      }
    }
    return total;
  }

  // Called after a member's trailer was verified: ends cleanly at the end of
  // input (after optional zero padding), starts the next member, or fails.
  void SeekNextMember() {
    InputBuffer& b = in();
    for (;;) {
      size_t zeros = 0;
      while (zeros < b.size() && b.data()[zeros] == std::byte{0}) ++zeros;
      if (zeros > 0) {
        b.Consume(zeros);
        padding_ = true;
      }
      if (b.size() == 0 || (!padding_ && b.size() < 2)) {
        if (MoreInput()) continue;
        if (finished()) return;
        if (b.size() == 0) {
          Finish();
          return;
        }
      }
      const std::byte* p = b.data();
      if (padding_) {
        FailTrailingGarbage(b.offset());
      } else if (b.size() >= 2 && p[0] == std::byte{0x1f} && p[1] == std::byte{0x8b}) {
        isal_inflate_reset(state_.get());
        in_member_ = true;
      } else if (b.size() == 1 && p[0] == std::byte{0x1f}) {
        FailTruncated();
      } else {
        FailTrailingGarbage(b.offset());
      }
      return;
    }
  }

  // About 100 KB (Huffman tables and a 64 KiB history), so on the heap.
  std::unique_ptr<inflate_state> state_;
  bool in_member_ = true;
  bool padding_ = false;
};

const char* Bzip2ErrorText(int ret) {
  switch (ret) {
    case BZ_DATA_ERROR:
      return "bzip2 block CRC mismatch or invalid block";
    case BZ_DATA_ERROR_MAGIC:
      return "bad bzip2 stream magic";
    case BZ_MEM_ERROR:
      return "out of memory";
    default:
      return "libbz2 error";
  }
}

// bzip2 through libbz2. Parallel compressors (pbzip2, lbzip2) write one
// complete stream per slice of input, so a file is a sequence of streams;
// each is decoded with a fresh decoder state.
class Bzip2Decoder final : public Decoder {
 public:
  explicit Bzip2Decoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kBzip2, std::move(in)) {
    StartStream();
  }
  ~Bzip2Decoder() override {
    if (live_) BZ2_bzDecompressEnd(&strm_);
  }

 private:
  void StartStream() {
    if (live_) BZ2_bzDecompressEnd(&strm_);
    strm_ = bz_stream{};
    stream_start_ = in().offset();
    live_ = BZ2_bzDecompressInit(&strm_, 0, 0) == BZ_OK;
    if (!live_) FailResource("cannot start a bzip2 decoder: out of memory");
  }

  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    size_t total = 0;
    while (total < n && !finished()) {
      if (stream_ended_) {
        if (b.size() == 0 && !MoreInput()) {
          if (!finished()) Finish();
          break;
        }
        stream_ended_ = false;
        ++streams_done_;
        StartStream();
        continue;
      }
      if (!EnsureInput()) break;
      const size_t in_room = std::min(b.size(), kMaxCallBytes);
      const size_t out_room = std::min(n - total, kMaxCallBytes);
      strm_.next_in = reinterpret_cast<char*>(b.data());
      strm_.avail_in = static_cast<unsigned>(in_room);
      strm_.next_out = reinterpret_cast<char*>(out + total);
      strm_.avail_out = static_cast<unsigned>(out_room);
      const int ret = BZ2_bzDecompress(&strm_);
      const size_t used = in_room - strm_.avail_in;
      const size_t got = out_room - strm_.avail_out;
      b.Consume(used);
      total += got;
      CountOutput(got);
      if (ret == BZ_STREAM_END) {
        stream_ended_ = true;
      } else if (ret == BZ_DATA_ERROR_MAGIC && streams_done_ > 0) {
        FailTrailingGarbage(stream_start_);
      } else if (ret != BZ_OK) {
        FailCorrupt(Bzip2ErrorText(ret));
      } else if (used == 0 && got == 0 && !MoreInput() && !finished()) {
        FailTruncated();
      }
    }
    return total;
  }

  bz_stream strm_{};
  bool live_ = false;
  bool stream_ended_ = false;
  uint64_t streams_done_ = 0;
  uint64_t stream_start_ = 0;
};

const char* LzmaErrorText(lzma_ret ret) {
  switch (ret) {
    case LZMA_MEM_ERROR:
      return "out of memory";
    case LZMA_MEMLIMIT_ERROR:
      return "memory limit reached";
    case LZMA_FORMAT_ERROR:
      return "not an xz stream";
    case LZMA_OPTIONS_ERROR:
      return "unsupported xz options";
    case LZMA_DATA_ERROR:
      return "invalid xz data or trailing garbage";
    default:
      return "liblzma error";
  }
}

// xz through liblzma. LZMA_CONCATENATED makes it accept several streams and
// the stream padding between them, as xz(1) does.
class XzDecoder final : public Decoder {
 public:
  explicit XzDecoder(std::unique_ptr<InputBuffer> in) : Decoder(Compression::kXz, std::move(in)) {
    const lzma_ret ret = lzma_stream_decoder(&strm_, UINT64_MAX, LZMA_CONCATENATED);
    if (ret != LZMA_OK) FailResource(LzmaErrorText(ret));
  }
  ~XzDecoder() override { lzma_end(&strm_); }

 private:
  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    size_t total = 0;
    while (total < n && !finished()) {
      if (!EnsureInput()) break;
      const size_t in_room = b.size();
      const size_t out_room = n - total;
      strm_.next_in = AsU8(b.data());
      strm_.avail_in = in_room;
      strm_.next_out = AsU8(out + total);
      strm_.avail_out = out_room;
      // With LZMA_CONCATENATED only LZMA_FINISH tells liblzma that no
      // further stream follows.
      const lzma_ret ret = lzma_code(&strm_, b.exhausted() ? LZMA_FINISH : LZMA_RUN);
      const size_t used = in_room - strm_.avail_in;
      const size_t got = out_room - strm_.avail_out;
      b.Consume(used);
      total += got;
      CountOutput(got);
      if (ret == LZMA_STREAM_END) {
        Finish();
      } else if (ret == LZMA_BUF_ERROR) {
        FailTruncated();
      } else if (ret != LZMA_OK) {
        FailCorrupt(LzmaErrorText(ret));
      } else if (used == 0 && got == 0) {
        if (b.exhausted()) {
          FailTruncated();
        } else {
          MoreInput();
        }
      }
    }
    return total;
  }

  lzma_stream strm_ = LZMA_STREAM_INIT;
};

// zstd through libzstd, whose streaming decoder walks from one frame to the
// next (and over skippable frames) by itself. The window is capped at
// libzstd's default (128 MiB), which keeps memory bounded and refuses only
// frames written with --long beyond that.
class ZstdDecoder final : public Decoder {
 public:
  explicit ZstdDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kZstd, std::move(in)), dctx_(ZSTD_createDCtx()) {
    if (dctx_ == nullptr) FailResource("cannot start a zstd decoder: out of memory");
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(dctx_); }

 private:
  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    size_t total = 0;
    while (total < n && !finished()) {
      if (!EnsureInput()) break;
      ZSTD_inBuffer input{b.data(), b.size(), 0};
      ZSTD_outBuffer output{out + total, n - total, 0};
      const size_t ret = ZSTD_decompressStream(dctx_, &output, &input);
      b.Consume(input.pos);
      total += output.pos;
      CountOutput(output.pos);
      if (ZSTD_isError(ret)) {
        FailCorrupt(ZSTD_getErrorName(ret));
        break;
      }
      // 0 means a frame was fully decoded and flushed; consuming input
      // afterwards means the next one has begun.
      if (ret == 0) {
        frame_complete_ = true;
      } else if (input.pos > 0) {
        frame_complete_ = false;
      }
      if (input.pos == 0 && output.pos == 0 && !MoreInput() && !finished()) {
        if (frame_complete_) {
          Finish();
        } else {
          FailTruncated();
        }
      }
    }
    return total;
  }

  ZSTD_DCtx* dctx_;
  bool frame_complete_ = false;
};

std::unique_ptr<Decoder> MakeDecoder(Compression c, std::unique_ptr<InputBuffer> in) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>(std::move(in));
    case Compression::kBzip2:
      return std::make_unique<Bzip2Decoder>(std::move(in));
    case Compression::kXz:
      return std::make_unique<XzDecoder>(std::move(in));
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>(std::move(in));
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainDecoder>(std::move(in));
}

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

// Decodes on a private thread into a ring of kRingSlots chunks, so that the
// caller's parsing of one chunk overlaps the decompression of the next ones.
//
// The ring is split between the two threads by filled_: the reader owns the
// filled_ slots starting at read_slot_ (the first of which it may be copying
// from), the decoder thread owns the rest. Slot contents are only touched by
// their owner; ownership changes hands under mu_, which also orders the
// memory accesses.
class ThreadedStream final : public InputStream {
 public:
  ThreadedStream(std::unique_ptr<Decoder> decoder, size_t chunk_size, uint64_t compressed_size)
      : decoder_(std::move(decoder)),
        compression_(decoder_->compression()),
        chunk_size_(chunk_size),
        compressed_size_(compressed_size) {
    for (Slot& slot : slots_) slot.data = Buffer::Pooled(chunk_size);
    worker_ = std::thread([this] { DecodeLoop(); });
  }

  // Waits for the decoder thread to finish its current chunk. On a file that
  // is at most one chunk's decoding; on a pipe whose writer stalls, it is as
  // long as the pending read() blocks.
  ~ThreadedStream() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  size_t Read(std::byte* buf, size_t n) override {
    size_t total = 0;
    while (total < n) {
      if (holding_) {
        const Slot& slot = slots_[read_slot_];
        if (read_pos_ < slot.size) {
          const size_t k = std::min(slot.size - read_pos_, n - total);
          std::memcpy(buf + total, slot.data.data() + read_pos_, k);
          read_pos_ += k;
          total += k;
          continue;
        }
      }
      if (ended_) break;
      std::unique_lock lock(mu_);
      if (holding_) {
        holding_ = false;
        --filled_;
        read_slot_ = (read_slot_ + 1) % kRingSlots;
        read_pos_ = 0;
        cv_.notify_all();
      }
      cv_.wait(lock, [this] { return filled_ > 0 || decoder_done_; });
      if (filled_ == 0) {
        ended_ = true;
        status_ = final_status_;
        break;
      }
      holding_ = true;
      compressed_read_ = slots_[read_slot_].compressed_offset;
    }
    return total;
  }

  const Status& status() const override { return status_; }
  Compression compression() const override { return compression_; }
  uint64_t compressed_bytes_read() const override { return compressed_read_; }
  uint64_t compressed_size() const override { return compressed_size_; }

 private:
  struct Slot {
    Buffer data;
    size_t size = 0;
    // Where the decoder stood in the compressed input after this chunk.
    uint64_t compressed_offset = 0;
  };

  void DecodeLoop() {
    size_t write_slot = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || filled_ < kRingSlots; });
        if (stop_) return;
      }
      Slot& slot = slots_[write_slot];
      slot.size = decoder_->Produce(slot.data.data(), chunk_size_);
      slot.compressed_offset = decoder_->compressed_offset();
      const bool last = slot.size < chunk_size_;
      {
        std::lock_guard lock(mu_);
        if (slot.size > 0) ++filled_;
        if (last) {
          final_status_ = decoder_->status();
          decoder_done_ = true;
        }
      }
      cv_.notify_all();
      if (last) return;
      write_slot = (write_slot + 1) % kRingSlots;
    }
  }

  // Used by the decoder thread only, once started.
  std::unique_ptr<Decoder> decoder_;
  const Compression compression_;
  const size_t chunk_size_;
  const uint64_t compressed_size_;
  std::array<Slot, kRingSlots> slots_;

  std::mutex mu_;
  std::condition_variable cv_;
  size_t filled_ = 0;          // guarded by mu_
  bool decoder_done_ = false;  // guarded by mu_
  bool stop_ = false;          // guarded by mu_
  Status final_status_;        // guarded by mu_

  // The reader's side.
  size_t read_slot_ = 0;
  size_t read_pos_ = 0;
  bool holding_ = false;
  bool ended_ = false;
  uint64_t compressed_read_ = 0;
  Status status_;

  // Last, so that everything it uses exists before it starts.
  std::thread worker_;
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
  std::unique_ptr<Decoder> decoder = MakeDecoder(c, std::move(in));
  // Plain data has nothing to overlap but read(), which the kernel's
  // readahead already runs ahead of us; a thread would only add a copy.
  if (opts.threaded && c != Compression::kNone) {
    return std::unique_ptr<InputStream>(
        std::make_unique<ThreadedStream>(std::move(decoder), opts.chunk_size, size));
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
