// The table of sources (source.h) and the helpers their plans share
// (sources.h). A new source is one file in this directory and one line in
// the table below, in the order --help and the manifest list them.
#include "acquire/sources/sources.h"

#include <algorithm>
#include <cctype>

namespace vigia::acquire {

const std::vector<SourceInfo>& Sources() {
  static const std::vector<SourceInfo> kSources = {
      RisSource(),  RouteViewsSource(), RpkiSource(),      IrrSource(),   RirStatsSource(),
      IanaSource(), CaidaSource(),      PeeringDbSource(), ManrsSource(), SpooferSource(),
  };
  return kSources;
}

const SourceInfo* FindSource(std::string_view name) {
  for (const SourceInfo& s : Sources()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace plan {

std::string Utc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string Iso(std::time_t t) { return Utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

std::time_t DayStart(const PlanContext& ctx) {
  std::tm tm{};
  tm.tm_year = static_cast<int>(ctx.yyyymmdd / 10000) - 1900;
  tm.tm_mon = static_cast<int>(ctx.yyyymmdd / 100 % 100) - 1;
  tm.tm_mday = static_cast<int>(ctx.yyyymmdd % 100);
  return timegm(&tm);
}

std::vector<std::string> Chosen(const PlanContext& ctx, const std::vector<std::string>& all) {
  return ctx.only.empty() ? all : ctx.only;
}

std::string BaseName(std::string_view url) {
  const size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

std::string HostUrl(const PlanContext& ctx, std::string_view host, std::string_view path) {
  std::string url = ctx.base;
  url += !url.empty() && url.back() == ':' ? "//" : "/";
  url += host;
  url += path;
  return url;
}

void AddLocal(const PlanContext& ctx, std::string_view dir, std::string_view must_hold,
              SourcePlan* plan) {
  for (const std::string& path : ctx.local_files) {
    std::string name = BaseName(path);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!must_hold.empty() && lower.find(must_hold) == std::string::npos) {
      name = std::string(must_hold) + "-" + name;
    }
    plan->local.emplace_back(path, std::string(dir) + "/" + name);
  }
}

}  // namespace plan
}  // namespace vigia::acquire
