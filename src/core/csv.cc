#include "core/csv.h"

#include <fmt/format.h>

namespace vigia {

bool CsvLooksLikeFormula(std::string_view text) {
  if (text.empty()) return false;
  switch (text[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

// Implements RFC 4180 §2 rules 5-7 (quoting) and OWASP's CSV injection
// advice (a leading ' and quotes for a would-be formula).
std::string CsvField(std::string_view text) {
  const bool formula = CsvLooksLikeFormula(text);
  if (!formula && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 4);
  out += '"';
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvNumber(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}", *v) : std::string();
}

}  // namespace vigia
