// ProvenanceJson (snapshot/provenance.h).
#include "snapshot/provenance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "core/time_format.h"

namespace vigia::snapshot {

namespace {

using nlohmann::ordered_json;

bool Digits(const std::string& s, size_t from, size_t n) {
  if (s.size() < from + n) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Days since the epoch of a normalised date.
std::optional<int64_t> Day(const std::string& date) {
  auto t = ParseIsoTime(date + "T00:00:00Z");
  if (!t) return std::nullopt;
  return *t / 86400;
}

// At most this many distinct source names are listed per input.
constexpr size_t kMaxSourcesShown = 4;

}  // namespace

std::optional<std::string> NormaliseDate(const std::string& text) {
  if (!Digits(text, 0, 4) || text.size() < 7 || text[4] != '-' || !Digits(text, 5, 2))
    return std::nullopt;
  std::string d = text.size() >= 10 && text[7] == '-' && Digits(text, 8, 2) ? text.substr(0, 10)
                  : text.size() == 7                                        ? text + "-01"
                                                                            : std::string();
  if (d.empty() || !Day(d)) return std::nullopt;
  return d;
}

std::string ProvenanceJson(const Manifest* m, const std::string& observed) {
  ordered_json p;
  p["simulated"] = m != nullptr && m->simulated;
  p["observed"] = observed;
  const std::optional<int64_t> seen = Day(observed);
  ordered_json inputs = ordered_json::array();
  ordered_json warnings = ordered_json::array(), keys = ordered_json::array();
  std::optional<int64_t> lo, hi;
  std::string oldest_input, newest_input;
  for (size_t k = 0; k < kPartCount; ++k) {
    const Part part = static_cast<Part>(k);
    std::set<std::string> sources;
    std::optional<std::string> date;  // the input's oldest
    size_t files = 0;
    if (m) {
      for (const ManifestFile& f : m->files) {
        Part of;
        if (!PartOfPath(f.path, &of) || of != part) continue;
        ++files;
        if (!f.source.empty()) sources.insert(f.source);
        auto d = NormaliseDate(!f.source_date.empty() ? f.source_date : f.date);
        if (d && (!date || *d < *date)) date = d;
      }
    }
    std::string source;
    size_t shown = 0;
    for (const std::string& s : sources) {
      if (shown++ == kMaxSourcesShown) {
        source += fmt::format(" (+{})", sources.size() - kMaxSourcesShown);
        break;
      }
      source += (source.empty() ? "" : ", ") + s;
    }
    ordered_json age = nullptr;
    if (date) {
      const int64_t day = *Day(*date);
      if (seen) age = *seen - day;
      if (!lo || day < *lo) {
        lo = day;
        oldest_input = InfoOf(part).dir;
      }
      if (!hi || day > *hi) {
        hi = day;
        newest_input = InfoOf(part).dir;
      }
    }
    if (files == 0 && m) continue;  // the snapshot has no such input
    inputs.push_back({{"input", InfoOf(part).dir},
                      {"source", source},
                      {"date", date ? ordered_json(*date) : ordered_json(nullptr)},
                      {"age_days", age},
                      {"files", files}});
  }
  p["inputs"] = std::move(inputs);
  p["spread_days"] = lo ? ordered_json(*hi - *lo) : ordered_json(nullptr);
  if (!m) {
    warnings.push_back("no manifest: the inputs' sources and dates are unknown");
    keys.push_back({{"key", "provenance.no_manifest"}, {"args", ordered_json::object()}});
  }
  if (lo && *hi - *lo > kMaxSpreadDays) {
    warnings.push_back(fmt::format(
        "the inputs' dates lie {} days apart (more than {}): {} is the oldest, {} the newest; "
        "scores compare data of different times",
        *hi - *lo, kMaxSpreadDays, oldest_input, newest_input));
    keys.push_back({{"key", "provenance.spread"},
                    {"args",
                     {{"days", *hi - *lo},
                      {"max", kMaxSpreadDays},
                      {"oldest", oldest_input},
                      {"newest", newest_input}}}});
  }
  if (m && m->simulated) {
    warnings.push_back("simulated data: the networks, routes and incidents are made up");
    keys.push_back({{"key", "provenance.simulated"}, {"args", ordered_json::object()}});
  }
  p["warnings"] = std::move(warnings);
  p["warning_keys"] = std::move(keys);
  return p.dump();
}

}  // namespace vigia::snapshot
