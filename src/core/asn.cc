#include "core/asn.h"

#include <charconv>
#include <system_error>

namespace vigia {

bool ParseDecimal(std::string_view t, uint64_t max, uint64_t* out) {
  if (t.empty() || t.size() > 10) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || v > max) return false;
  *out = v;
  return true;
}

namespace {

bool IsA(char c) { return c == 'A' || c == 'a'; }
bool IsS(char c) { return c == 'S' || c == 's'; }

}  // namespace

std::optional<Asn> ParseAsn(std::string_view t, AsnSyntax syntax) {
  if (t.size() > 2 && IsA(t[0]) && IsS(t[1])) {
    t.remove_prefix(2);
  } else if (syntax.require_as_prefix) {
    return std::nullopt;
  }
  const size_t dot = syntax.allow_asdot ? t.find('.') : std::string_view::npos;
  uint64_t v = 0;
  if (dot == std::string_view::npos) {
    if (!ParseDecimal(t, 0xFFFFFFFFull, &v)) return std::nullopt;
  } else {
    // RFC 5396 §1: asdot, high.low with both halves 16-bit.
    uint64_t hi = 0, lo = 0;
    if (!ParseDecimal(t.substr(0, dot), 0xFFFF, &hi) ||
        !ParseDecimal(t.substr(dot + 1), 0xFFFF, &lo)) {
      return std::nullopt;
    }
    v = (hi << 16) | lo;
  }
  return static_cast<Asn>(v);
}

}  // namespace vigia
