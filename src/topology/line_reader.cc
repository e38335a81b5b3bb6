#include "topology/line_reader.h"

#include <algorithm>
#include <cstring>

namespace vigia::topology {

LineReader::LineReader(io::InputStream* in, size_t max_line)
    : in_(in), max_line_(std::max<size_t>(max_line, 1)) {
  buf_.resize(std::max<size_t>(max_line_ + 1, 1 << 20));
}

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t n = in_->Read(reinterpret_cast<std::byte*>(buf_.data() + end_), buf_.size() - end_);
  if (n == 0) eof_ = true;
  end_ += n;
  return n > 0;
}

bool LineReader::Next(std::string_view* line) {
  too_long_ = false;
  size_t scanned = 0;  // bytes after begin_ already known to hold no newline
  while (true) {
    const char* base = buf_.data() + begin_;
    const void* nl = std::memchr(base + scanned, '\n', end_ - begin_ - scanned);
    if (discarding_) {
      if (nl == nullptr) {
        begin_ = end_ = 0;
        scanned = 0;
        if (!Fill()) return false;
        continue;
      }
      begin_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
      discarding_ = false;
      scanned = 0;
      continue;
    }
    if (nl != nullptr) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nl) - base);
      begin_ += len + 1;
      if (len > 0 && base[len - 1] == '\r') --len;
      if (len > max_line_) {
        len = max_line_;
        too_long_ = true;
      }
      *line = std::string_view(base, len);
      ++line_number_;
      return true;
    }
    scanned = end_ - begin_;
    if (scanned > max_line_) {
      // Over the cap and still no newline: hand out the head, drop the rest.
      *line = std::string_view(base, max_line_);
      begin_ = end_;  // the buffer is reused on the next Fill(); *line stays
                      // valid until the next call to Next()
      discarding_ = true;
      too_long_ = true;
      ++line_number_;
      return true;
    }
    if (!Fill()) {
      if (begin_ == end_) return false;
      size_t len = end_ - begin_;
      const char* last = buf_.data() + begin_;
      if (last[len - 1] == '\r') --len;
      *line = std::string_view(last, len);
      begin_ = end_;
      ++line_number_;
      return true;
    }
  }
}

}  // namespace vigia::topology
