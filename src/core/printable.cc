#include "core/printable.h"

#include <cstdint>

namespace vigia {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629 §4), 0 if none.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

void AppendHex(uint8_t c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c == '\\') {
      out.append("\\\\");
      ++i;
    } else if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (const size_t n = c >= 0x80 ? Utf8Length(s, i) : 0;
               n > 0 && !(n == 2 && c == 0xC2 && static_cast<uint8_t>(s[i + 1]) < 0xA0)) {
      // Valid UTF-8 but the C1 controls U+0080..U+009F (0xC2 0x80..0x9F):
      // U+009B is CSI, which 8-bit terminals obey like ESC [.
      out.append(s.substr(i, n));
      i += n;
    } else {
      AppendHex(c, &out);
      ++i;
    }
  }
  return out;
}

std::string PrintableHead(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return Printable(text);
  return Printable(text.substr(0, max_bytes)) + "...";
}

}  // namespace vigia
