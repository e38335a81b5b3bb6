// Times as ISO 8601 UTC text ("2026-11-22T00:00:00Z"), the form every JSON
// output and the snapshot manifest use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigia {

// Seconds since the epoch to "YYYY-MM-DDTHH:MM:SSZ".
std::string IsoTime(int64_t t);
// The inverse; nullopt unless the text is exactly that form.
std::optional<int64_t> ParseIsoTime(std::string_view text);

}  // namespace vigia
