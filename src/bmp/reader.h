// BmpReader: whole BMP messages out of a byte stream (one TCP session from
// a router, or its payload replayed from a pcap).
//
// Append() bytes as they arrive, then call Next() until it says kNeedMore.
// A message whose length is sane (at least a common header, at most the
// cap) but whose content does not decode is kBad with error() and
// offset(): the reader skips it and goes on, since the framing is intact.
// A common header with a wrong version or an insane length leaves no way
// to find the next message: that is kFatal, and every later Next() says
// kFatal too (a station closes such a session). The buffer never holds
// more than one message past the cap. Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bmp/message.h"
#include "core/status.h"

namespace vigia::bmp {

class BmpReader {
 public:
  enum class Step : uint8_t { kMessage, kNeedMore, kBad, kFatal };

  explicit BmpReader(size_t max_message = kDefaultMaxMessage) : max_message_(max_message) {}

  void Append(std::span<const uint8_t> bytes);
  // The next whole message into *m (its spans valid until the next Append
  // or Next), or why not.
  Step Next(Message* m);

  // Stream offset of the message Next() last returned or rejected.
  uint64_t offset() const { return offset_; }
  const Status& error() const { return error_; }
  // Bytes received but not yet returned (a partial message at the end).
  size_t buffered() const { return buf_.size() - pos_; }
  // Stream offset of the first byte not yet returned.
  uint64_t pending_offset() const { return base_ + pos_; }
  uint64_t messages() const { return messages_; }

 private:
  size_t max_message_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint64_t base_ = 0;  // stream offset of buf_[0]
  uint64_t offset_ = 0;
  uint64_t messages_ = 0;
  bool fatal_ = false;
  Status error_;
};

}  // namespace vigia::bmp
