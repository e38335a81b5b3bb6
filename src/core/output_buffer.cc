#include "core/output_buffer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>

namespace vigia {

OutputBuffer::OutputBuffer(int fd, size_t flush_at) : fd_(fd), flush_at_(flush_at) {
  Grow(flush_at + (64 << 10));
}

OutputBuffer::~OutputBuffer() {
  if (fd_ >= 0) (void)Flush();
  std::free(begin_);
}

void OutputBuffer::Grow(size_t n) {
  size_t used = size();
  size_t cap = static_cast<size_t>(cap_ - begin_);
  size_t want = std::max(cap * 2, used + n + 4096);
  char* p = static_cast<char*>(std::realloc(begin_, want));
  if (!p) throw std::bad_alloc();
  begin_ = p;
  end_ = p + used;
  cap_ = p + want;
}

Status OutputBuffer::Flush() {
  const char* p = begin_;
  size_t left = size();
  while (left > 0 && write_status_.ok()) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      write_status_ = Status::IoError(std::string("write: ") + std::strerror(errno));
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  end_ = begin_;
  return write_status_;
}

}  // namespace vigia
