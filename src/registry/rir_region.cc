// The country -> RIR service region table (rir_region.h), sorted by code.
#include "registry/rir_region.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace vigia::registry {
namespace {

struct Entry {
  std::string_view cc, region;
};

// Sorted by code (a test checks the order).
constexpr std::array kTable = std::to_array<Entry>({
    {"AD", "ripencc"}, {"AE", "ripencc"}, {"AF", "apnic"},   {"AG", "arin"},    {"AI", "arin"},
    {"AL", "ripencc"}, {"AM", "ripencc"}, {"AO", "afrinic"}, {"AQ", "arin"},    {"AR", "lacnic"},
    {"AS", "apnic"},   {"AT", "ripencc"}, {"AU", "apnic"},   {"AW", "lacnic"},  {"AX", "ripencc"},
    {"AZ", "ripencc"}, {"BA", "ripencc"}, {"BB", "arin"},    {"BD", "apnic"},   {"BE", "ripencc"},
    {"BF", "afrinic"}, {"BG", "ripencc"}, {"BH", "ripencc"}, {"BI", "afrinic"}, {"BJ", "afrinic"},
    {"BL", "arin"},    {"BM", "arin"},    {"BN", "apnic"},   {"BO", "lacnic"},  {"BQ", "lacnic"},
    {"BR", "lacnic"},  {"BS", "arin"},    {"BT", "apnic"},   {"BV", "arin"},    {"BW", "afrinic"},
    {"BY", "ripencc"}, {"BZ", "lacnic"},  {"CA", "arin"},    {"CC", "apnic"},   {"CD", "afrinic"},
    {"CF", "afrinic"}, {"CG", "afrinic"}, {"CH", "ripencc"}, {"CI", "afrinic"}, {"CK", "apnic"},
    {"CL", "lacnic"},  {"CM", "afrinic"}, {"CN", "apnic"},   {"CO", "lacnic"},  {"CR", "lacnic"},
    {"CU", "lacnic"},  {"CV", "afrinic"}, {"CW", "lacnic"},  {"CX", "apnic"},   {"CY", "ripencc"},
    {"CZ", "ripencc"}, {"DE", "ripencc"}, {"DJ", "afrinic"}, {"DK", "ripencc"}, {"DM", "arin"},
    {"DO", "lacnic"},  {"DZ", "afrinic"}, {"EC", "lacnic"},  {"EE", "ripencc"}, {"EG", "afrinic"},
    {"EH", "afrinic"}, {"ER", "afrinic"}, {"ES", "ripencc"}, {"ET", "afrinic"}, {"FI", "ripencc"},
    {"FJ", "apnic"},   {"FK", "lacnic"},  {"FM", "apnic"},   {"FO", "ripencc"}, {"FR", "ripencc"},
    {"GA", "afrinic"}, {"GB", "ripencc"}, {"GD", "arin"},    {"GE", "ripencc"}, {"GF", "lacnic"},
    {"GG", "ripencc"}, {"GH", "afrinic"}, {"GI", "ripencc"}, {"GL", "ripencc"}, {"GM", "afrinic"},
    {"GN", "afrinic"}, {"GP", "arin"},    {"GQ", "afrinic"}, {"GR", "ripencc"}, {"GS", "lacnic"},
    {"GT", "lacnic"},  {"GU", "apnic"},   {"GW", "afrinic"}, {"GY", "lacnic"},  {"HK", "apnic"},
    {"HM", "arin"},    {"HN", "lacnic"},  {"HR", "ripencc"}, {"HT", "lacnic"},  {"HU", "ripencc"},
    {"ID", "apnic"},   {"IE", "ripencc"}, {"IL", "ripencc"}, {"IM", "ripencc"}, {"IN", "apnic"},
    {"IO", "apnic"},   {"IQ", "ripencc"}, {"IR", "ripencc"}, {"IS", "ripencc"}, {"IT", "ripencc"},
    {"JE", "ripencc"}, {"JM", "arin"},    {"JO", "ripencc"}, {"JP", "apnic"},   {"KE", "afrinic"},
    {"KG", "ripencc"}, {"KH", "apnic"},   {"KI", "apnic"},   {"KM", "afrinic"}, {"KN", "arin"},
    {"KP", "apnic"},   {"KR", "apnic"},   {"KW", "ripencc"}, {"KY", "arin"},    {"KZ", "ripencc"},
    {"LA", "apnic"},   {"LB", "ripencc"}, {"LC", "arin"},    {"LI", "ripencc"}, {"LK", "apnic"},
    {"LR", "afrinic"}, {"LS", "afrinic"}, {"LT", "ripencc"}, {"LU", "ripencc"}, {"LV", "ripencc"},
    {"LY", "afrinic"}, {"MA", "afrinic"}, {"MC", "ripencc"}, {"MD", "ripencc"}, {"ME", "ripencc"},
    {"MF", "arin"},    {"MG", "afrinic"}, {"MH", "apnic"},   {"MK", "ripencc"}, {"ML", "afrinic"},
    {"MM", "apnic"},   {"MN", "apnic"},   {"MO", "apnic"},   {"MP", "apnic"},   {"MQ", "arin"},
    {"MR", "afrinic"}, {"MS", "arin"},    {"MT", "ripencc"}, {"MU", "afrinic"}, {"MV", "apnic"},
    {"MW", "afrinic"}, {"MX", "lacnic"},  {"MY", "apnic"},   {"MZ", "afrinic"}, {"NA", "afrinic"},
    {"NC", "apnic"},   {"NE", "afrinic"}, {"NF", "apnic"},   {"NG", "afrinic"}, {"NI", "lacnic"},
    {"NL", "ripencc"}, {"NO", "ripencc"}, {"NP", "apnic"},   {"NR", "apnic"},   {"NU", "apnic"},
    {"NZ", "apnic"},   {"OM", "ripencc"}, {"PA", "lacnic"},  {"PE", "lacnic"},  {"PF", "apnic"},
    {"PG", "apnic"},   {"PH", "apnic"},   {"PK", "apnic"},   {"PL", "ripencc"}, {"PM", "arin"},
    {"PN", "apnic"},   {"PR", "arin"},    {"PS", "ripencc"}, {"PT", "ripencc"}, {"PW", "apnic"},
    {"PY", "lacnic"},  {"QA", "ripencc"}, {"RE", "afrinic"}, {"RO", "ripencc"}, {"RS", "ripencc"},
    {"RU", "ripencc"}, {"RW", "afrinic"}, {"SA", "ripencc"}, {"SB", "apnic"},   {"SC", "afrinic"},
    {"SD", "afrinic"}, {"SE", "ripencc"}, {"SG", "apnic"},   {"SH", "arin"},    {"SI", "ripencc"},
    {"SJ", "ripencc"}, {"SK", "ripencc"}, {"SL", "afrinic"}, {"SM", "ripencc"}, {"SN", "afrinic"},
    {"SO", "afrinic"}, {"SR", "lacnic"},  {"SS", "afrinic"}, {"ST", "afrinic"}, {"SV", "lacnic"},
    {"SX", "lacnic"},  {"SY", "ripencc"}, {"SZ", "afrinic"}, {"TC", "arin"},    {"TD", "afrinic"},
    {"TF", "apnic"},   {"TG", "afrinic"}, {"TH", "apnic"},   {"TJ", "ripencc"}, {"TK", "apnic"},
    {"TL", "apnic"},   {"TM", "ripencc"}, {"TN", "afrinic"}, {"TO", "apnic"},   {"TR", "ripencc"},
    {"TT", "lacnic"},  {"TV", "apnic"},   {"TW", "apnic"},   {"TZ", "afrinic"}, {"UA", "ripencc"},
    {"UG", "afrinic"}, {"UM", "arin"},    {"US", "arin"},    {"UY", "lacnic"},  {"UZ", "ripencc"},
    {"VA", "ripencc"}, {"VC", "arin"},    {"VE", "lacnic"},  {"VG", "arin"},    {"VI", "arin"},
    {"VN", "apnic"},   {"VU", "apnic"},   {"WF", "apnic"},   {"WS", "apnic"},   {"YE", "ripencc"},
    {"YT", "afrinic"}, {"ZA", "afrinic"}, {"ZM", "afrinic"}, {"ZW", "afrinic"},
});

constexpr bool Sorted() {
  for (size_t i = 1; i < kTable.size(); ++i) {
    if (!(kTable[i - 1].cc < kTable[i].cc)) return false;
  }
  return true;
}
static_assert(Sorted(), "kTable must be sorted by code for the binary search");

}  // namespace

std::optional<std::string_view> RirServiceRegionOf(std::string_view cc) {
  if (cc.size() != 2) return std::nullopt;
  const char key[2] = {static_cast<char>(std::toupper(static_cast<unsigned char>(cc[0]))),
                       static_cast<char>(std::toupper(static_cast<unsigned char>(cc[1])))};
  const std::string_view k(key, 2);
  auto it = std::lower_bound(kTable.begin(), kTable.end(), k,
                             [](const Entry& e, std::string_view x) { return e.cc < x; });
  if (it == kTable.end() || it->cc != k) return std::nullopt;
  return it->region;
}

size_t RirServiceRegionTableSize() { return kTable.size(); }

}  // namespace vigia::registry
