#include "bmp/reader.h"

#include <fmt/format.h>

namespace vigia::bmp {

void BmpReader::Append(std::span<const uint8_t> bytes) {
  if (fatal_) return;
  // Drop what was consumed before growing, so the buffer stays near one
  // message long.
  if (pos_ > 0 && (pos_ >= buf_.size() / 2 || pos_ == buf_.size())) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    base_ += pos_;
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

BmpReader::Step BmpReader::Next(Message* m) {
  if (fatal_) return Step::kFatal;
  const std::span<const uint8_t> avail(buf_.data() + pos_, buf_.size() - pos_);
  if (avail.size() < kCommonHeaderSize) return Step::kNeedMore;
  offset_ = base_ + pos_;
  // RFC 7854 §4.1: version 3; the length covers the common header.
  const uint32_t len = DeclaredLength(avail);
  if (avail[0] != kVersion || len < kCommonHeaderSize || len > max_message_) {
    fatal_ = true;
    error_ =
        avail[0] != kVersion
            ? Status::Unsupported(fmt::format("RFC 7854 §4.1: BMP version {}, not 3", avail[0]))
            : Status::LimitExceeded(fmt::format("RFC 7854 §4.1: message length {} outside {}..{}",
                                                len, kCommonHeaderSize, max_message_));
    return Step::kFatal;
  }
  if (avail.size() < len) return Step::kNeedMore;
  pos_ += len;
  error_ = m->Decode(avail.first(len));
  if (!error_.ok()) return Step::kBad;
  ++messages_;
  return Step::kMessage;
}

}  // namespace vigia::bmp
