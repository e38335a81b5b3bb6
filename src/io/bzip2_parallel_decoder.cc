#include <bzlib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "io/decoder.h"

namespace vigia::io::internal {
namespace {

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
      const unsigned two =
          (static_cast<unsigned>(p[0]) << 8) | ((bit / 8 + 1 < win_.size()) ? p[1] : 0);
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

  size_t Step(std::byte* out, size_t n) override {
    if (current_ && current_pos_ < current_->output.size()) {
      const size_t k = std::min(n, current_->output.size() - current_pos_);
      std::memcpy(out, current_->output.data() + current_pos_, k);
      current_pos_ += k;
      CountOutput(k);
      return k;
    }
    current_.reset();
    while (order_.size() < kMaxInFlight && QueueNextBlock()) {
    }
    if (finished()) return 0;
    if (order_.empty()) {
      FinishScan();
      return 0;
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
      return 0;
    }
    CheckStreamCrc(*job);
    current_ = std::move(job);
    current_pos_ = 0;
    return 0;
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

}  // namespace

std::unique_ptr<Decoder> NewParallelBzip2Decoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<ParallelBzip2Decoder>(std::move(in));
}

}  // namespace vigia::io::internal
