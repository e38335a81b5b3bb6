// The `vigia watch` YAML config parser (watch/config.h) on arbitrary bytes.
// Beyond memory safety: a config that parses has no more than the capped
// counts, watched prefixes without host bits and each once, rules that name
// only defined channels, and a --dry-run JSON rendering that is valid JSON.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>

#include "watch/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = watch::ParseWatchConfig(text, "fuzz.yml");
  if (!r.ok()) {
    if (r.status().message().rfind("fuzz.yml", 0) != 0)
      std::abort();  // every message names the file
    return 0;
  }
  const watch::WatchConfig& c = *r;
  if (c.rules.prefixes.size() > watch::kMaxWatchedPrefixes) std::abort();
  if (c.channels.size() > watch::kMaxChannels) std::abort();
  std::unordered_set<Prefix, PrefixHash> seen;
  for (const auto& w : c.rules.prefixes) {
    if (w.prefix.HasHostBits()) std::abort();
    if (!seen.insert(w.prefix).second) std::abort();
    if (w.origins.size() > watch::kMaxOriginsPerPrefix) std::abort();
  }
  for (const auto& [rule, rs] : c.rule_settings)
    for (const std::string& name : rs.channels) {
      bool found = false;
      for (const auto& ch : c.channels) found = found || ch.name == name;
      if (!found) std::abort();
    }
  if (!nlohmann::json::accept(watch::WatchConfigToJson(c))) std::abort();
  return 0;
}
