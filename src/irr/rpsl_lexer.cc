#include "irr/rpsl_lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace vigia::irr {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// RFC 2622 §2: an attribute name is made of letters, digits, '-' and '_',
// starts with a letter and is followed directly by a colon. Returns the
// name's length, 0 when the line does not start with one.
size_t KeyLength(const char* s, size_t n) {
  if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0;
  size_t i = 1;
  while (i < n && IsKeyChar(s[i])) ++i;
  return (i < n && s[i] == ':') ? i : 0;
}

// RFC 2622 §2: objects are separated by blank lines; a line of only white
// space counts as blank.
bool IsBlank(const char* s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  }
  return true;
}

}  // namespace

bool KeyIs(std::string_view key, std::string_view lower) {
  if (key.size() != lower.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (Lower(key[i]) != lower[i]) return false;
  }
  return true;
}

std::string_view FirstToken(std::string_view raw) {
  std::string_view first;
  bool have = false;
  ForEachToken(raw, [&](std::string_view t) {
    if (!have) first = t;
    have = true;
  });
  return first;
}

std::string CleanValue(std::string_view raw) {
  std::string out;
  ForEachToken(raw, [&](std::string_view t) {
    if (!out.empty()) out += ' ';
    out += t;
  });
  return out;
}

bool IsKnownClass(std::string_view c) {
  // RFC 2622 §3-§9 and RFC 2725 (mntner, person, role, route, aut-num,
  // as-set, route-set, filter-set, rtr-set, peering-set, inet-rtr,
  // dictionary, as-block), RFC 4012 (route6), RIR and IRRd schemas.
  static constexpr std::array<std::string_view, 28> kKnown = {
      "as-block",  "as-set",       "aut-num",     "dictionary",  "domain",   "filter-set",
      "inet-rtr",  "inet6num",     "inetnum",     "irt",         "key-cert", "limerick",
      "mntner",    "organisation", "peering-set", "person",      "poem",     "poetic-form",
      "role",      "route",        "route-set",   "route6",      "rtr-set",  "as-macro",
      "community", "repository",   "domain6",     "notification"};
  return std::find(kKnown.begin(), kKnown.end(), c) != kKnown.end();
}

RpslReader::RpslReader(io::InputStream* in, std::string name,
                       std::function<bool(std::string_view)> want, ProblemLog* problems,
                       std::string_view head, ReaderOptions opts)
    : in_(in), name_(std::move(name)), want_(std::move(want)), problems_(problems) {
  read_size_ = std::max<size_t>(opts.buffer_size, 16);
  cap_ = std::max(read_size_, head.size() + read_size_);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
  if (!head.empty()) std::memcpy(buf_.get(), head.data(), head.size());
  end_ = head.size();
  stats_.bytes = head.size();
  if (in_ == nullptr) eof_ = true;
}

RpslReader::~RpslReader() = default;

void RpslReader::Report(uint64_t line, std::string message) {
  problems_->Add(fmt::format("{}:{}", name_, line), std::move(message));
}

bool RpslReader::Refill() {
  if (anchor_ > 0) {
    std::memmove(buf_.get(), buf_.get() + anchor_, end_ - anchor_);
    pos_ -= anchor_;
    end_ -= anchor_;
    anchor_ = 0;
  }
  if (cap_ - end_ < read_size_) {
    // Only a kept object being lexed (bounded by kMaxObjectBytes) or a line
    // being looked through (bounded by kMaxLineBytes) makes this grow.
    const size_t bigger = std::max(cap_ * 2, end_ + read_size_);
    auto grown = std::make_unique_for_overwrite<char[]>(bigger);
    std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    cap_ = bigger;
  }
  const size_t want = cap_ - end_;
  const size_t n = in_->Read(reinterpret_cast<std::byte*>(buf_.get() + end_), want);
  end_ += n;
  stats_.bytes += n;
  if (n < want) eof_ = true;
  return n > 0;
}

bool RpslReader::GetLine(Line* l) {
  size_t scanned = pos_;  // no '\n' in [pos_, scanned)
  bool overlong = false;
  for (;;) {
    const char* base = buf_.get();
    const void* nl = end_ > scanned ? std::memchr(base + scanned, '\n', end_ - scanned) : nullptr;
    if (nl != nullptr || eof_) {
      const size_t e = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) : end_;
      if (nl == nullptr && pos_ == end_ && !overlong) return false;
      size_t n = e - pos_;
      if (n > 0 && base[e - 1] == '\r') --n;
      if (n > kMaxLineBytes) overlong = true;
      l->start = pos_;
      l->size = overlong ? 0 : n;
      l->overlong = overlong;
      l->number = ++stats_.lines;
      // A cut comment loses nothing; only content counts as a cut.
      l->unterminated =
          nl == nullptr &&
          (overlong || (!IsBlank(base + pos_, n) && base[pos_] != '#' && base[pos_] != '%'));
      pos_ = nl ? e + 1 : end_;
      if (l->unterminated) ReportTruncated(l->number);
      return true;
    }
    if (end_ - pos_ > kMaxLineBytes) overlong = true;
    // An overlong line is dropped as it is read; whatever held the anchor
    // is abandoned by the caller when it sees `overlong`.
    if (overlong) anchor_ = pos_ = end_;
    const size_t seen = end_ - pos_;
    Refill();
    scanned = pos_ + seen;
  }
}

// RPSL objects end with a blank line or the end of the file, so a plain
// file cut inside a value ("origin: AS12726" cut to "origin: AS127") still
// parses. The one trace a cut leaves is a last line without its newline:
// that object is dropped and the cut reported (counted, so the exit status
// says so) rather than answered from a value that may be a prefix of the
// real one.
void RpslReader::ReportTruncated(uint64_t line) {
  if (truncation_reported_) return;
  truncation_reported_ = true;
  ++stats_.truncated;
  Report(line,
         "input ends inside this line (no newline after it): file truncated; the object "
         "is skipped");
}

void RpslReader::SkipToBlankLine() {
  Line l;
  for (;;) {
    anchor_ = pos_;
    if (!GetLine(&l)) return;
    if (!l.overlong && IsBlank(buf_.get() + l.start, l.size)) return;
  }
}

bool RpslReader::Next(RpslObject* obj) {
  Line l;
  for (;;) {
    anchor_ = pos_;
    if (!GetLine(&l)) return false;
    if (l.overlong) {
      ++stats_.objects;
      ++stats_.objects_skipped;
      Report(l.number, "line longer than 16 MiB");
      SkipToBlankLine();
      continue;
    }
    const char* s = buf_.get() + l.start;
    if (IsBlank(s, l.size)) continue;
    // Comment lines between objects: '#' (RFC 2622 §2) and '%' (the
    // remarks whois servers put in front of their answers).
    if (s[0] == '#' || s[0] == '%') continue;
    ++stats_.objects;
    const uint64_t first_line = l.number;
    if (l.unterminated) {
      ++stats_.objects_skipped;
      continue;
    }
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '+') {
      ++stats_.objects_skipped;
      Report(first_line, "continuation line outside an object (RFC 2622 §2)");
      SkipToBlankLine();
      continue;
    }
    const size_t klen = KeyLength(s, l.size);
    if (klen == 0 || klen > kMaxClassNameBytes) {
      ++stats_.objects_skipped;
      Report(first_line, klen == 0 ? "object does not start with \"class: name\" (RFC 2622 §2)"
                                   : "class name longer than 32 bytes");
      SkipToBlankLine();
      continue;
    }
    for (size_t i = 0; i < klen; ++i) class_buf_[i] = Lower(s[i]);
    const std::string_view cls(class_buf_, klen);
    if (!want_(cls)) {
      if (!IsKnownClass(cls)) {
        ++stats_.objects_skipped;
        Report(first_line, fmt::format("unknown class \"{}\"", cls));
      }
      SkipToBlankLine();
      continue;
    }

    // A wanted object: lex it in place. anchor_ == l.start, so the object
    // stays in the buffer until it is handed out; offsets are kept
    // relative to it because Refill() may move it.
    pending_.clear();
    pending_.push_back({0, klen, klen + 1, l.size, first_line});
    bool current = true;  // false while dropping a bad attribute's continuations
    bool bad = false, too_many = false;
    for (;;) {
      if (!GetLine(&l)) break;
      if (l.overlong) {
        Report(l.number, "line longer than 16 MiB");
        bad = true;
        SkipToBlankLine();
        break;
      }
      const char* p = buf_.get() + l.start;
      if (l.unterminated) {
        bad = true;
        break;
      }
      if (IsBlank(p, l.size)) break;
      if (pos_ - anchor_ > kMaxObjectBytes) {
        Report(first_line, "object longer than 16 MiB");
        bad = true;
        SkipToBlankLine();
        break;
      }
      const size_t rel = l.start - anchor_;
      const char c = p[0];
      if (c == '#') continue;  // a comment line inside the object
      if (c == ' ' || c == '\t' || c == '+') {
        if (!current) continue;
        PendingAttribute& a = pending_.back();
        a.raw_end = rel + l.size;
        if (a.raw_end - a.raw_off > kMaxAttributeBytes) {
          Report(a.line, "attribute value longer than 4 MiB");
          pending_.pop_back();
          current = false;
        }
        continue;
      }
      const size_t k = KeyLength(p, l.size);
      if (k == 0) {
        Report(l.number, "line is not \"attribute: value\" (RFC 2622 §2)");
        current = false;
        continue;
      }
      if (pending_.size() >= kMaxAttributes) {
        if (!too_many) Report(l.number, "more than 1,000,000 attributes; the rest is ignored");
        too_many = true;
        current = false;
        continue;
      }
      pending_.push_back({rel, k, rel + k + 1, rel + l.size, l.number});
      current = true;
    }
    if (bad) {
      ++stats_.objects_skipped;
      continue;
    }
    obj->class_name = cls;
    obj->line = first_line;
    obj->attributes.resize(pending_.size());
    for (size_t i = 0; i < pending_.size(); ++i) {
      const PendingAttribute& a = pending_[i];
      obj->attributes[i].key = View(anchor_ + a.key_off, a.key_len);
      obj->attributes[i].raw = View(anchor_ + a.raw_off, a.raw_end - a.raw_off);
      obj->attributes[i].line = a.line;
    }
    ++stats_.objects_kept;
    return true;
  }
}

}  // namespace vigia::irr
