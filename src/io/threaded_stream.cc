#include "io/threaded_stream.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

namespace vigia::io::internal {
namespace {

// Four chunks let the decoder run ahead of a parser that is briefly slower,
// without letting a fast decoder fill memory.
constexpr size_t kRingSlots = 4;

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

std::unique_ptr<InputStream> NewThreadedStream(std::unique_ptr<Decoder> decoder, size_t chunk_size,
                                               uint64_t compressed_size) {
  return std::make_unique<ThreadedStream>(std::move(decoder), chunk_size, compressed_size);
}

}  // namespace vigia::io::internal
