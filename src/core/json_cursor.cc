#include "core/json_cursor.h"

#include <fmt/format.h>

namespace vigia {

bool JsonCursor::Fail(const char* what) {
  if (error_.empty()) {
    error_ = fmt::format("offset {}: {}", pos_, what);
    pos_ = text_.size();
  }
  return false;
}

JsonCursor::Type JsonCursor::Peek() {
  if (failed()) return Type::kBad;
  SkipSpace();
  if (pos_ >= text_.size()) return Type::kEnd;
  switch (text_[pos_]) {
    case '{':
      return Type::kObject;
    case '[':
      return Type::kArray;
    case '"':
      return Type::kString;
    case 't':
    case 'f':
      return Type::kBool;
    case 'n':
      return Type::kNull;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return Type::kNumber;
    default:
      return Type::kBad;
  }
}

bool JsonCursor::Push(char kind) {
  if (kind_.size() >= kMaxDepth) return Fail("nested too deeply");
  kind_.push_back(kind);
  has_item_.push_back(false);
  ++pos_;
  return true;
}

bool JsonCursor::BeginObject() {
  if (Peek() != Type::kObject) return Fail("expected an object");
  return Push('{');
}

bool JsonCursor::BeginArray() {
  if (Peek() != Type::kArray) return Fail("expected an array");
  return Push('[');
}

// RFC 8259 §4, §5: items are separated by commas; the closing bracket of
// the innermost open container ends it.
JsonCursor::Step JsonCursor::Advance(char open, char close) {
  if (failed() || kind_.empty() || kind_.back() != open) {
    Fail(open == '{' ? "not inside an object" : "not inside an array");
    return Step::kError;
  }
  SkipSpace();
  if (pos_ < text_.size() && text_[pos_] == close) {
    ++pos_;
    kind_.pop_back();
    has_item_.pop_back();
    return Step::kEnd;
  }
  if (has_item_.back()) {
    if (pos_ >= text_.size() || text_[pos_] != ',') {
      Fail(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
      return Step::kError;
    }
    ++pos_;
  }
  has_item_.back() = true;
  return Step::kItem;
}

JsonCursor::Step JsonCursor::NextMember(std::string_view* key) {
  const Step s = Advance('{', '}');
  if (s != Step::kItem) return s;
  if (Peek() != Type::kString) {
    Fail("expected a member name");
    return Step::kError;
  }
  if (!String(key)) return Step::kError;
  SkipSpace();
  if (pos_ >= text_.size() || text_[pos_] != ':') {
    Fail("expected ':'");
    return Step::kError;
  }
  ++pos_;
  return Step::kItem;
}

JsonCursor::Step JsonCursor::NextElement() { return Advance('[', ']'); }

namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
void AppendUtf8(std::string* s, uint32_t cp) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}
}  // namespace

// RFC 8259 §7. Strings without escapes are returned in place.
bool JsonCursor::String(std::string_view* out) {
  if (Peek() != Type::kString) return Fail("expected a string");
  const size_t start = ++pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      *out = text_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    if (c == '\\') break;
    if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
    ++pos_;
  }
  if (pos_ >= text_.size()) return Fail("unterminated string");
  // Escapes: decode into scratch_.
  scratch_.assign(text_.substr(start, pos_ - start));
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      *out = scratch_;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
    if (c != '\\') {
      scratch_.push_back(c);
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= text_.size()) break;
    const char e = text_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"':
        scratch_.push_back('"');
        break;
      case '\\':
        scratch_.push_back('\\');
        break;
      case '/':
        scratch_.push_back('/');
        break;
      case 'b':
        scratch_.push_back('\b');
        break;
      case 'f':
        scratch_.push_back('\f');
        break;
      case 'n':
        scratch_.push_back('\n');
        break;
      case 'r':
        scratch_.push_back('\r');
        break;
      case 't':
        scratch_.push_back('\t');
        break;
      case 'u': {
        auto hex4 = [&](uint32_t* v) {
          if (pos_ + 4 > text_.size()) return false;
          *v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = Hex(text_[pos_ + static_cast<size_t>(i)]);
            if (h < 0) return false;
            *v = *v << 4 | static_cast<uint32_t>(h);
          }
          pos_ += 4;
          return true;
        };
        uint32_t cp;
        if (!hex4(&cp)) return Fail("bad \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by a low one.
          uint32_t lo;
          if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
            return Fail("lone surrogate in \\u escape");
          }
          pos_ += 2;
          if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return Fail("bad surrogate pair");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return Fail("lone surrogate in \\u escape");
        }
        AppendUtf8(&scratch_, cp);
        break;
      }
      default:
        return Fail("bad escape");
    }
  }
  return Fail("unterminated string");
}

// RFC 8259 §6: -? int frac? exp?
bool JsonCursor::Number(bool* is_uint, uint64_t* value) {
  *is_uint = true;
  *value = 0;
  bool overflow = false;
  if (pos_ < text_.size() && text_[pos_] == '-') {
    *is_uint = false;
    ++pos_;
  }
  if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return Fail("bad number");
  if (text_[pos_] == '0') {
    ++pos_;
  } else {
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const uint64_t d = static_cast<uint64_t>(text_[pos_] - '0');
      if (*value > (UINT64_MAX - d) / 10) overflow = true;
      *value = *value * 10 + d;
      ++pos_;
    }
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    *is_uint = false;
    ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return Fail("bad number");
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    *is_uint = false;
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return Fail("bad number");
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
  }
  if (overflow) *is_uint = false;
  return true;
}

bool JsonCursor::Uint64(uint64_t* out) {
  if (Peek() != Type::kNumber) return Fail("expected a number");
  bool is_uint;
  const size_t start = pos_;
  if (!Number(&is_uint, out)) return false;
  if (!is_uint) {
    pos_ = start;
    return Fail("expected a non-negative integer that fits 64 bits");
  }
  return true;
}

bool JsonCursor::Literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Fail("bad literal");
  pos_ += word.size();
  return true;
}

bool JsonCursor::Skip() {
  // Iterative, so that hostile nesting cannot exhaust the stack.
  const size_t base = kind_.size();
  do {
    if (failed()) return false;
    // Inside a container opened by this call: step to its next item.
    if (kind_.size() > base) {
      Step s;
      if (kind_.back() == '{') {
        std::string_view key;
        s = NextMember(&key);
      } else {
        s = NextElement();
      }
      if (s == Step::kError) return false;
      if (s == Step::kEnd) continue;
    }
    switch (Peek()) {
      case Type::kObject:
        if (!Push('{')) return false;
        break;
      case Type::kArray:
        if (!Push('[')) return false;
        break;
      case Type::kString: {
        std::string_view v;
        if (!String(&v)) return false;
        break;
      }
      case Type::kNumber: {
        bool is_uint;
        uint64_t v;
        if (!Number(&is_uint, &v)) return false;
        break;
      }
      case Type::kBool:
        if (!Literal(text_[pos_] == 't' ? "true" : "false")) return false;
        break;
      case Type::kNull:
        if (!Literal("null")) return false;
        break;
      case Type::kEnd:
        return Fail("unexpected end of input");
      case Type::kBad:
        return Fail("unexpected character");
    }
  } while (kind_.size() > base);
  return !failed();
}

bool JsonCursor::AtEnd() {
  if (failed()) return false;
  SkipSpace();
  if (pos_ != text_.size()) return Fail("trailing characters after the JSON value");
  return true;
}

}  // namespace vigia
