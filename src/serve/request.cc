// Request parameters and the JSON, error and CSV answers (serve/api.h).
#include <fmt/format.h>

#include <set>

#include "core/time_format.h"
#include "serve/api.h"

namespace vigia::serve {

void Json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void Error(httplib::Response& res, int status, const std::string& message) {
  Json(res, status, {{"error", message}, {"status", status}});
}

// Only the listed parameters, each at most once.
void Allow(const httplib::Request& req, std::initializer_list<const char*> names) {
  std::set<std::string> ok(names.begin(), names.end());
  for (const auto& [k, v] : req.params) {
    if (!ok.contains(k)) throw BadRequest{fmt::format("unknown parameter '{}'", k)};
    if (req.get_param_value_count(k) > 1)
      throw BadRequest{fmt::format("parameter '{}' given twice", k)};
    if (v.size() > 200) throw BadRequest{fmt::format("parameter '{}' is too long", k)};
  }
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

int64_t IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                 int64_t hi) {
  if (!req.has_param(name)) return def;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw BadRequest{fmt::format("parameter '{}' must be a whole number", name)};
  }
  const int64_t x = std::stoll(v);
  if (x < lo || x > hi)
    throw BadRequest{fmt::format("parameter '{}' must be from {} to {}", name, lo, hi)};
  return x;
}

std::string DateParam(const httplib::Request& req, const char* name) {
  const std::string d = Param(req, name);
  if (d.empty()) return d;
  if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !ParseIsoTime(d + "T00:00:00Z")) {
    throw BadRequest{fmt::format("parameter '{}' must be YYYY-MM-DD", name)};
  }
  return d;
}

std::string FormatParam(const httplib::Request& req) {
  const std::string format = req.has_param("format") ? Param(req, "format") : "json";
  if (format != "json" && format != "csv")
    throw BadRequest{"parameter 'format' must be json or csv"};
  return format;
}

std::string CsvNum(const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : ""; }

void Csv(httplib::Response& res, std::string body) {
  res.status = 200;
  res.set_content(std::move(body), "text/csv; charset=utf-8");
}

}  // namespace vigia::serve
