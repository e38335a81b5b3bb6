// RPSL lexing: splitting a dump into objects and objects into attributes
// (RFC 2622 §2, RFC 4012), streaming through an io::InputStream.
//
// A dump is a sequence of objects separated by blank lines. An object is a
// list of "key: value" attributes; the first one names the class and the
// object. A value continues on following lines that start with a space, a
// tab or '+' (a line holding only '+' is an empty continuation). '#' starts
// a comment to the end of its line; lines starting with '#' or '%' between
// objects are comments. Keys and class names are case-insensitive. CRLF line
// ends are accepted.
//
// RpslReader holds one growable buffer: an object is lexed in place, and the
// string views in the RpslObject it hands out point into that buffer, valid
// until the next call to Next(). Classes the caller does not want are
// skipped line by line without being lexed, whatever their size. Malformed
// objects and attributes are reported as "file:line: reason", skipped and
// counted; the reader never stops before the end of its input.
//
// Not thread-safe; one reader per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/problem_log.h"
#include "io/input_stream.h"

namespace vigia::irr {

// Caps on what input may make the reader hold: core/limits.h.

// Problems are reported to a ProblemLog (core/problem_log.h), where is
// "file:line" (RPSL) or "file: whois_records.v4[i]" (JSON).

struct RpslAttribute {
  std::string_view key;  // as written; compare with KeyIs()
  // From after the colon to the end of the last continuation line,
  // untouched: line ends, continuation markers and comments included. Read
  // it with ForEachToken() / FirstToken().
  std::string_view raw;
  uint64_t line = 0;
};

struct RpslObject {
  std::string_view class_name;            // lower-cased
  std::vector<RpslAttribute> attributes;  // attributes[0] is the class attribute
  uint64_t line = 0;                      // line of the class attribute

  std::string_view raw_key() const { return attributes[0].raw; }
};

// Case-insensitive comparison with a lower-case literal.
bool KeyIs(std::string_view key, std::string_view lower);

// Calls fn(std::string_view token) for every token of a value: comments cut
// off, continuation markers dropped, split at white space and commas.
template <typename Fn>
void ForEachToken(std::string_view raw, Fn&& fn);

// The first token of a value, or "" when there is none.
std::string_view FirstToken(std::string_view raw);
// The value with comments and continuation markers removed, lines joined
// by one space, trimmed; for free text such as as-name.
std::string CleanValue(std::string_view raw);

struct ReaderOptions {
  // Initial buffer size and read size. Small values are legal (tests and
  // the fuzzer use them to put chunk boundaries everywhere).
  size_t buffer_size = 1 << 20;
};

struct ReaderStats {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t objects = 0;          // every object seen, any class
  uint64_t objects_kept = 0;     // handed out by Next()
  uint64_t objects_skipped = 0;  // malformed, oversized, cut short or of an unknown class
  uint64_t truncated = 0;        // 1 when the input ended inside a line
};

class RpslReader {
 public:
  // want(lower_class) says whether objects of a class are lexed and handed
  // out; others are skipped unread. `head` is input already taken from the
  // stream (content sniffing), which comes first.
  RpslReader(io::InputStream* in, std::string name, std::function<bool(std::string_view)> want,
             ProblemLog* problems, std::string_view head = {}, ReaderOptions opts = {});
  ~RpslReader();
  RpslReader(const RpslReader&) = delete;
  RpslReader& operator=(const RpslReader&) = delete;

  // The next wanted object; false at the end of the input.
  bool Next(RpslObject* obj);

  const ReaderStats& stats() const { return stats_; }
  const std::string& name() const { return name_; }
  // Reports a problem at a line of this input (used by object decoders too).
  void Report(uint64_t line, std::string message);

 private:
  struct Line {
    size_t start = 0;  // offset into buf_
    size_t size = 0;   // without "\n" or "\r\n"
    uint64_t number = 0;
    bool overlong = false;  // longer than kMaxLineBytes; its content is dropped
    // The input ended inside this line (no "\n" after it): a file cut short.
    bool unterminated = false;
  };
  bool GetLine(Line* l);
  // Reports a file cut inside an object, once.
  void ReportTruncated(uint64_t line);
  bool Refill();
  void SkipToBlankLine();
  std::string_view View(size_t off, size_t n) const { return {buf_.get() + off, n}; }

  io::InputStream* in_;
  std::string name_;
  std::function<bool(std::string_view)> want_;
  ProblemLog* problems_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t read_size_ = 0;
  size_t pos_ = 0;     // next unread byte
  size_t end_ = 0;     // end of data in buf_
  size_t anchor_ = 0;  // bytes before this may be discarded by Refill()
  bool eof_ = false;
  bool truncation_reported_ = false;
  char class_buf_[kMaxClassNameBytes];
  // Attribute offsets relative to the object's start while lexing, so that
  // a Refill() moving the buffer does not invalidate them.
  struct PendingAttribute {
    size_t key_off, key_len, raw_off, raw_end;
    uint64_t line;
  };
  std::vector<PendingAttribute> pending_;
  ReaderStats stats_;
};

// True for the classes of RFC 2622, RFC 2725, RFC 4012 and the RIPE, APNIC,
// AFRINIC, LACNIC, ARIN and IRRd schemas (lower-cased name); anything else
// is reported when skipped.
bool IsKnownClass(std::string_view lower_class);

// ---- implementation of the template ----

template <typename Fn>
void ForEachToken(std::string_view raw, Fn&& fn) {
  size_t i = 0;
  bool first_line = true;
  while (i < raw.size()) {
    size_t nl = raw.find('\n', i);
    if (nl == std::string_view::npos) nl = raw.size();
    size_t b = i, e = nl;
    // RFC 2622 §2: a continuation line starts with white space or '+'.
    if (!first_line && b < e && raw[b] == '+') ++b;
    first_line = false;
    // RFC 2622 §2: '#' starts a comment that runs to the end of the line.
    for (size_t k = b; k < e; ++k) {
      if (raw[k] == '#') {
        e = k;
        break;
      }
    }
    size_t k = b;
    while (k < e) {
      while (k < e && (raw[k] == ' ' || raw[k] == '\t' || raw[k] == ',' || raw[k] == '\r')) ++k;
      const size_t t = k;
      while (k < e && raw[k] != ' ' && raw[k] != '\t' && raw[k] != ',' && raw[k] != '\r') ++k;
      if (k > t) fn(raw.substr(t, k - t));
    }
    i = nl + 1;
  }
}

}  // namespace vigia::irr
