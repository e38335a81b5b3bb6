// ARIN-WHOIS originAS registrations as one more IRR source.
//
// ARIN keeps origin ASes on its WHOIS network records rather than in an IRR;
// the JSON export (as IRR Explorer and arouteserver use it) looks like
//   {"source": "ARIN-WHOIS", "whois_records": {"v4": [{"prefix":
//    "3.0.0.0/15", "originas": "AS38895", "name": "NET-3-0-0-0-2", ...}],
//    "v6": [...]}}
// Each (prefix, origin) becomes a route object of source ARIN-WHOIS (or the
// file's "source"), named by the network's handle; a record listing several
// origins gives one object per origin. Bad records are reported as
// "file: whois_records.v4[i]", skipped and counted.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"

namespace vigia::irr {

class IrrDatabase;

inline constexpr const char* kArinWhoisSource = "ARIN-WHOIS";
// Bytes of slack after the text handed to the JSON parser.
inline constexpr size_t kJsonPadding = 64;

// `data` must be readable up to `capacity` (at least size + kJsonPadding
// for a zero-copy parse; otherwise the text is copied once). Fails when the
// text is not originAS JSON at all.
Status LoadArinWhoisJson(const char* data, size_t size, size_t capacity, const std::string& name,
                         IrrDatabase* db);

}  // namespace vigia::irr
