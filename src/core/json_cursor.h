// JsonCursor: a pull reader for JSON (RFC 8259) over text in memory.
//
// It builds nothing: the caller walks objects and arrays and takes the
// values it wants, skipping the rest. It exists for the large, flat files
// where a general parser's per-document buffers cost more than the parse
// itself: a global VRP set is ~40 MB of JSON in one document, and
// simdjson's structural index and string buffer for it (several times the
// text) were, in page faults alone, a third of the load time. The cursor
// needs no memory beyond a small stack, validates everything it passes
// over, and reports the byte offset of the first error.
//
// Not checked: that string bytes are valid UTF-8 (escapes are decoded and
// control characters refused).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"

namespace vigia {

class JsonCursor {
 public:
  enum class Type : uint8_t { kObject, kArray, kString, kNumber, kBool, kNull, kEnd, kBad };
  // The outcome of stepping inside an object or array.
  enum class Step : uint8_t { kItem, kEnd, kError };

  explicit JsonCursor(std::string_view text) : text_(text) {}

  // The type of the next value (after whitespace), without consuming it.
  Type Peek();

  // Objects: BeginObject() on '{', then NextMember(&key) until kEnd (the
  // '}' is consumed) or kError; after kItem the member's value must be
  // read or skipped before the next call.
  bool BeginObject();
  Step NextMember(std::string_view* key);
  // Arrays: BeginArray() on '[', then NextElement() until kEnd or kError.
  bool BeginArray();
  Step NextElement();

  // Scalars. A value of another type is an error (nothing consumed);
  // check Peek() first where several types are acceptable.
  bool String(std::string_view* out);  // valid until the next String()
  bool Uint64(uint64_t* out);          // a non-negative integer that fits
  // Any value, validated, nested at most kMaxDepth deep.
  bool Skip();
  // After the top-level value: only whitespace may follow.
  bool AtEnd();
  // Moves past a value at offset() that the caller has read and validated
  // itself (a fast path for a large array of one fixed shape); `end` must
  // be where Skip() would have stopped.
  void SkipParsed(size_t end) { pos_ = end; }

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }  // "offset N: ..."
  size_t offset() const { return pos_; }

  static constexpr size_t kMaxDepth = kMaxJsonDepth;  // core/limits.h

 private:
  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
    }
  }
  bool Fail(const char* what);
  bool Literal(std::string_view word);
  bool Number(bool* is_uint, uint64_t* value);
  bool Push(char kind);
  Step Advance(char open, char close);

  std::string_view text_;
  size_t pos_ = 0;
  // Open containers: '{' or '[', and whether an item has been read in each.
  std::vector<char> kind_;
  std::vector<bool> has_item_;
  std::string scratch_;  // unescaped strings
  std::string error_;
};

}  // namespace vigia
