// The acquisition parsers (acquire/listing.h) on arbitrary bytes: a
// directory listing page and a published checksum list, as an archive (or
// anything between it and us) might serve them. Beyond memory safety:
// - every entry has a non-empty name without '/', NUL, "." or "..", each
//   name once, never more than kMaxListingEntries;
// - a checksum list that parses holds digests of 32 or 64 lower-case hex
//   digits only, and DigestFor finds each under its name.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "acquire/listing.h"
#include "core/limits.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace vigia::acquire;
  if (auto l = ParseListing(text); l.ok()) {
    Check(l->size() <= vigia::acquire::kMaxListingEntries);
    std::set<std::string> names;
    for (const ListingEntry& e : *l) {
      Check(!e.name.empty() && e.name != "." && e.name != "..");
      Check(e.name.find('/') == std::string::npos && e.name.find('\0') == std::string::npos);
      Check(names.insert(e.name).second);
    }
  }
  if (auto c = ParseChecksums(text, "default"); c.ok()) {
    Check(!c->empty());
    for (const auto& [name, digest] : *c) {
      Check(digest.size() == 32 || digest.size() == 64);
      for (char ch : digest) Check((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
      if (!name.empty() && name.find('/') == std::string::npos)
        Check(DigestFor(*c, name) == digest);
    }
  }
  return 0;
}
