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
#include <deque>
#include <memory>
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

// bzip2 on two cores. A bzip2 stream is a series of blocks that decode
// independently, each led by the 48-bit magic 0x314159265359 at any bit
// position and carrying its own CRC; the stream ends with the magic
// 0x177245385090 and a CRC combined over the blocks. This decoder finds the
// block boundaries, wraps each block as a one-block stream of its own
// ("BZh" level, the block's bits, end magic, CRC = the block CRC) and hands
// the blocks to two worker threads, delivering their output in order. It
// exists because libbz2 decodes at ~50 MB/s on one core, which bounds how
// fast a .bz2 dump can be read; the blocks make it parallel (as lbzip2 and
// pbzip2 do). A 48-bit magic can occur by chance inside compressed data; a
// block that fails to decode is therefore retried with its next boundary
// merged, and only then reported.
class ParallelBzip2Decoder final : public Decoder {
 public:
  explicit ParallelBzip2Decoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kBzip2, std::move(in)) {
    for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  }
  ~ParallelBzip2Decoder() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

 private:
  static constexpr int kWorkers = 2;
  static constexpr size_t kMaxInFlight = 4;
  static constexpr uint64_t kBlockMagic = 0x314159265359ULL;
  static constexpr uint64_t kEndMagic = 0x177245385090ULL;

  struct Job {
    std::vector<uint8_t> stream;  // a one-block bzip2 stream
    std::vector<std::byte> output;
    uint64_t bit_begin = 0, bit_end = 0;  // the block in the compressed input
    uint32_t crc = 0;
    char level = '9';
    bool final = false;  // runs to the end of the input (no boundary after it)
    bool done = false;
    int result = BZ_OK;
  };

  struct Boundary {
    uint64_t bit;  // absolute bit position of the magic
    bool end;      // stream end magic rather than a block
  };

  // --- the worker side ---
  void WorkerLoop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
        if (stop_) return;
        job = std::move(pending_.front());
        pending_.pop_front();
      }
      Run(*job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        job->done = true;
      }
      done_cv_.notify_all();
    }
  }

  static void Run(Job& job) {
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
      job.result = BZ_MEM_ERROR;
      return;
    }
    // A block holds at most 900 kB before its final run-length stage, which
    // can expand it further; grow as needed.
    job.output.resize(1 << 20);
    size_t got = 0;
    s.next_in = reinterpret_cast<char*>(job.stream.data());
    s.avail_in = static_cast<unsigned>(job.stream.size());
    int ret = BZ_OK;
    while (ret == BZ_OK) {
      if (got == job.output.size()) job.output.resize(job.output.size() * 2);
      s.next_out = reinterpret_cast<char*>(job.output.data() + got);
      s.avail_out = static_cast<unsigned>(job.output.size() - got);
      const unsigned before = s.avail_out;
      ret = BZ2_bzDecompress(&s);
      got += before - s.avail_out;
      if (ret == BZ_OK && s.avail_in == 0 && before == s.avail_out) ret = BZ_UNEXPECTED_EOF;
    }
    BZ2_bzDecompressEnd(&s);
    job.result = ret == BZ_STREAM_END ? BZ_OK : ret;
    job.output.resize(ret == BZ_STREAM_END ? got : 0);
  }

  // --- the scanner side (the stream's producer thread) ---

  // Bits [begin, end) of the window, as a one-block stream.
  void Wrap(Job& job) const {
    std::vector<uint8_t>& out = job.stream;
    out.clear();
    out.reserve((job.bit_end - job.bit_begin) / 8 + 32);
    out.insert(out.end(), {'B', 'Z', 'h', static_cast<uint8_t>(job.level)});
    const uint64_t nbits = job.bit_end - job.bit_begin;
    const uint64_t first = job.bit_begin - win_base_ * 8;
    const size_t byte0 = static_cast<size_t>(first / 8);
    const unsigned shift = static_cast<unsigned>(first % 8);
    const size_t whole = static_cast<size_t>(nbits / 8);
    const uint8_t* w = win_.data() + byte0;
    if (shift == 0) {
      out.insert(out.end(), w, w + whole);
    } else {
      for (size_t i = 0; i < whole; ++i) {
        out.push_back(static_cast<uint8_t>((w[i] << shift) | (w[i + 1] >> (8 - shift))));
      }
    }
    // The remaining bits, then the end magic and the CRC, through a small
    // bit writer.
    uint64_t acc = 0;
    unsigned n = 0;
    auto put = [&](uint64_t bits, unsigned count) {
      for (unsigned i = count; i-- > 0;) {
        acc = (acc << 1) | ((bits >> i) & 1);
        if (++n == 8) {
          out.push_back(static_cast<uint8_t>(acc));
          acc = 0;
          n = 0;
        }
      }
    };
    const unsigned rest = static_cast<unsigned>(nbits % 8);
    if (rest) {
      const uint64_t bit = first + whole * 8;
      const uint8_t* p = win_.data() + bit / 8;
      const unsigned s = static_cast<unsigned>(bit % 8);
      const unsigned two = (static_cast<unsigned>(p[0]) << 8) |
                           ((bit / 8 + 1 < win_.size()) ? p[1] : 0);
      put((two >> (16 - s - rest)) & ((1u << rest) - 1), rest);
    }
    put(kEndMagic, 48);
    put(job.crc, 32);
    if (n) out.push_back(static_cast<uint8_t>(acc << (8 - n)));
  }

  // Reads more compressed input into the window; false at its end.
  bool ReadMore() {
    InputBuffer& b = in();
    if (b.size() == 0 && !b.exhausted()) b.Refill();
    if (b.size() == 0) {
      if (!b.status().ok()) Fail(b.status());
      return false;
    }
    const uint8_t* p = reinterpret_cast<const uint8_t*>(b.data());
    win_.insert(win_.end(), p, p + b.size());
    b.Consume(b.size());
    return true;
  }

  uint64_t WindowEndBits() const { return (win_base_ + win_.size()) * 8; }
  uint8_t ByteAt(uint64_t abs) const { return win_[static_cast<size_t>(abs - win_base_)]; }

  // Scans for the next magic; false when the input ended first.
  bool NextBoundary(Boundary* out) {
    for (;;) {
      while (scan_byte_ < win_base_ + win_.size()) {
        reg_ = (reg_ << 8) | ByteAt(scan_byte_);
        ++scan_byte_;
        if (++reg_bytes_ < 6) continue;
        for (unsigned k = 0; k < 8; ++k) {
          if (reg_bytes_ == 6 && k > 0) break;  // not 48 bits behind yet
          const uint64_t v = (reg_ >> k) & 0xFFFFFFFFFFFFULL;
          if (v == kBlockMagic || v == kEndMagic) {
            out->bit = scan_byte_ * 8 - k - 48;
            out->end = v == kEndMagic;
            return true;
          }
        }
      }
      if (!ReadMore()) return false;
    }
  }

  // Ensures the window holds absolute bytes [.., end); false if the input
  // ended first.
  bool Have(uint64_t end_byte) {
    while (win_base_ + win_.size() < end_byte) {
      if (!ReadMore()) return false;
    }
    return true;
  }

  // Parses "BZh1".."BZh9" at absolute byte at; sets level_.
  bool StreamHeader(uint64_t at) {
    if (!Have(at + 4)) return false;
    if (ByteAt(at) != 'B' || ByteAt(at + 1) != 'Z' || ByteAt(at + 2) != 'h' ||
        ByteAt(at + 3) < '1' || ByteAt(at + 3) > '9') {
      return false;
    }
    level_ = static_cast<char>(ByteAt(at + 3));
    return true;
  }

  void Rescan(uint64_t from_byte) {
    scan_byte_ = from_byte;
    reg_ = 0;
    reg_bytes_ = 0;
  }

  uint32_t BitsAt(uint64_t bit, unsigned count) {
    uint32_t v = 0;
    for (unsigned i = 0; i < count; ++i, ++bit) {
      v = (v << 1) | ((ByteAt(bit / 8) >> (7 - bit % 8)) & 1);
    }
    return v;
  }

  // Finds the next block and queues it; false when there is none (the end
  // of the input, clean or not, is then recorded).
  bool QueueNextBlock() {
    if (scan_over_) return false;
    if (!started_) {
      started_ = true;
      if (!StreamHeader(0)) {
        scan_over_ = true;
        header_missing_ = true;
        return false;
      }
      Rescan(4);
    }
    for (;;) {
      Boundary bd{};
      if (!block_open_) {
        if (!NextBoundary(&bd)) {
          scan_over_ = true;
          truncated_ = true;  // a stream without its end magic
          return false;
        }
        if (bd.end) {
          if (!EndOfStream(bd.bit)) return false;
          continue;
        }
        block_open_ = true;
        block_bit_ = bd.bit;
        // Start the next scan after this magic.
        Rescan(bd.bit / 8 + 1);
        continue;
      }
      auto job = std::make_shared<Job>();
      job->bit_begin = block_bit_;
      job->level = level_;
      if (NextBoundary(&bd)) {
        job->bit_end = bd.bit;
      } else {
        job->bit_end = WindowEndBits();
        job->final = true;
      }
      if (!Have((block_bit_ + 80 + 7) / 8)) {
        scan_over_ = true;
        truncated_ = true;
        return false;
      }
      job->crc = BitsAt(block_bit_ + 48, 32);
      Wrap(*job);
      block_open_ = false;
      if (!job->final) {
        if (bd.end) {
          next_is_end_ = true;
          end_bit_ = bd.bit;
        } else {
          block_open_ = true;
          block_bit_ = bd.bit;
          Rescan(bd.bit / 8 + 1);
        }
      } else {
        scan_over_ = true;
        truncated_ = true;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        pending_.push_back(job);
      }
      order_.push_back(job);
      ++blocks_queued_;
      cv_.notify_one();
      if (next_is_end_) {
        next_is_end_ = false;
        if (!EndOfStream(end_bit_)) return true;
      }
      Compact();
      return true;
    }
  }

  // At the end magic of a stream: keeps its CRC, then starts the next
  // stream or records a clean end or trailing garbage.
  bool EndOfStream(uint64_t bit) {
    if (!Have((bit + 80 + 7) / 8)) {
      scan_over_ = true;
      truncated_ = true;
      return false;
    }
    stream_crcs_.push_back({blocks_queued_, BitsAt(bit + 48, 32)});
    const uint64_t next = (bit + 80 + 7) / 8;
    if (!Have(next + 1)) {
      scan_over_ = true;  // clean end
      return false;
    }
    if (!StreamHeader(next)) {
      scan_over_ = true;
      garbage_at_ = next;
      return false;
    }
    Rescan(next + 4);
    return true;
  }

  // Drops window bytes that no open block needs any more.
  void Compact() {
    const uint64_t scan_keep = scan_byte_ > 16 ? scan_byte_ - 16 : 0;
    const uint64_t keep_from = block_open_ ? std::min(block_bit_ / 8, scan_keep) : scan_keep;
    if (keep_from > win_base_ + (1u << 20)) {
      const size_t drop = static_cast<size_t>(keep_from - win_base_);
      win_.erase(win_.begin(), win_.begin() + static_cast<std::ptrdiff_t>(drop));
      win_base_ += drop;
    }
  }

  size_t Decode(std::byte* out, size_t n) override {
    size_t total = 0;
    while (total < n && !finished()) {
      if (current_ && current_pos_ < current_->output.size()) {
        const size_t k = std::min(n - total, current_->output.size() - current_pos_);
        std::memcpy(out + total, current_->output.data() + current_pos_, k);
        current_pos_ += k;
        total += k;
        CountOutput(k);
        continue;
      }
      current_.reset();
      while (order_.size() < kMaxInFlight && QueueNextBlock()) {
      }
      if (finished()) break;
      if (order_.empty()) {
        FinishScan();
        break;
      }
      std::shared_ptr<Job> job = order_.front();
      {
        std::unique_lock<std::mutex> lock(mu_);
        done_cv_.wait(lock, [&] { return job->done; });
      }
      order_.pop_front();
      ++blocks_done_;
      if (job->result != BZ_OK) {
        FailBlock(*job);
        break;
      }
      CheckStreamCrc(*job);
      current_ = std::move(job);
      current_pos_ = 0;
    }
    return total;
  }

  // Folds the block CRC into the stream's combined CRC and checks it at a
  // stream's end (bzip2's own rule: crc = rotl(crc, 1) ^ block_crc).
  void CheckStreamCrc(const Job& job) {
    combined_ = ((combined_ << 1) | (combined_ >> 31)) ^ job.crc;
    while (!stream_crcs_.empty() && stream_crcs_.front().first == blocks_done_) {
      if (stream_crcs_.front().second != combined_) {
        FailCorrupt("bzip2 stream CRC does not match its blocks");
      }
      stream_crcs_.pop_front();
      combined_ = 0;
    }
  }

  void FailBlock(const Job& job) {
    if (job.final || job.result == BZ_UNEXPECTED_EOF) {
      FailTruncated();
    } else {
      FailCorrupt(Bzip2ErrorText(job.result));
    }
  }

  void FinishScan() {
    if (header_missing_) {
      if (in().offset() == 0 && win_.empty()) {
        Finish();  // empty input
      } else {
        FailCorrupt("not a bzip2 stream");
      }
    } else if (garbage_at_) {
      FailTrailingGarbage(garbage_at_);
    } else if (truncated_) {
      FailTruncated();
    } else {
      Finish();
    }
  }

  // Scanner state (producer thread only).
  std::vector<uint8_t> win_;
  uint64_t win_base_ = 0;
  uint64_t scan_byte_ = 0;
  uint64_t reg_ = 0;
  unsigned reg_bytes_ = 0;
  uint64_t blocks_queued_ = 0;
  bool started_ = false, scan_over_ = false, header_missing_ = false, truncated_ = false;
  bool block_open_ = false, next_is_end_ = false;
  uint64_t block_bit_ = 0, end_bit_ = 0, garbage_at_ = 0;
  char level_ = '9';
  std::deque<std::shared_ptr<Job>> order_;
  std::shared_ptr<Job> current_;
  size_t current_pos_ = 0;
  uint64_t blocks_done_ = 0;
  uint32_t combined_ = 0;
  std::deque<std::pair<uint64_t, uint32_t>> stream_crcs_;  // (blocks before the end, CRC)

  // Shared with the workers.
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::deque<std::shared_ptr<Job>> pending_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

std::unique_ptr<Decoder> MakeDecoder(Compression c, std::unique_ptr<InputBuffer> in,
                                     bool parallel = false) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>(std::move(in));
    case Compression::kBzip2:
      if (parallel) return std::make_unique<ParallelBzip2Decoder>(std::move(in));
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
  // bzip2 blocks decode on two worker threads when there are cores for it.
  const bool parallel = opts.threaded && std::thread::hardware_concurrency() >= 2;
  std::unique_ptr<Decoder> decoder = MakeDecoder(c, std::move(in), parallel);
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
