// LineReader: the lines of a text file read through an io::InputStream, for
// the pipe-separated CAIDA files (as-rel, as2org).
//
// Lines end with "\n" or "\r\n" (the terminator is not returned); a last line
// without one is still returned. A line longer than the cap is returned cut
// at the cap with too_long() set, and the rest of it is discarded, so that a
// file without newlines cannot make the reader hold more than the cap.
//
// Does not own the stream, which must outlive the reader. Not thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "io/input_stream.h"

namespace vigia::topology {

// kMaxLineBytes: core/limits.h.

class LineReader {
 public:
  explicit LineReader(io::InputStream* in, size_t max_line = kMaxLineBytes);

  // The next line; false once the stream has ended.
  bool Next(std::string_view* line);
  // 1-based number of the line last returned.
  size_t line_number() const { return line_number_; }
  // True when the line last returned was longer than the cap (and cut).
  bool too_long() const { return too_long_; }

 private:
  bool Fill();  // reads more after end_; false when nothing more came

  io::InputStream* in_;
  size_t max_line_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  size_t line_number_ = 0;
  bool eof_ = false;
  bool too_long_ = false;
  bool discarding_ = false;  // skipping the rest of an over-long line
};

}  // namespace vigia::topology
