// Request parameters and the JSON, error and CSV answers (serve/api.h).
#include <fmt/format.h>

#include <set>

#include "core/printable.h"
#include "core/time_format.h"
#include "serve/api.h"

namespace vigia::serve {

Status Json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
  return Status::Ok();
}

// The message may quote the request (a parameter's name or value): its
// bytes escaped, so that the JSON is valid UTF-8 and carries no control
// characters (a \xff in a name made the answer a 500).
Status Error(httplib::Response& res, int status, const std::string& message) {
  return Json(res, status, {{"error", PrintableHead(message, 1000)}, {"status", status}});
}

Status Allow(const httplib::Request& req, std::initializer_list<const char*> names) {
  std::set<std::string> ok(names.begin(), names.end());
  for (const auto& [k, v] : req.params) {
    if (!ok.contains(k)) return Status::InvalidArgument(fmt::format("unknown parameter '{}'", k));
    if (req.get_param_value_count(k) > 1) {
      return Status::InvalidArgument(fmt::format("parameter '{}' given twice", k));
    }
    if (v.size() > 200)
      return Status::InvalidArgument(fmt::format("parameter '{}' is too long", k));
  }
  return Status::Ok();
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

Result<int64_t> IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                         int64_t hi) {
  if (!req.has_param(name)) return def;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("parameter '{}' must be a whole number", name));
  }
  uint64_t x = 0;
  for (char c : v) x = x * 10 + static_cast<uint64_t>(c - '0');  // 19 digits < 2^64
  if (x < static_cast<uint64_t>(lo) || x > static_cast<uint64_t>(hi)) {
    return Status::InvalidArgument(
        fmt::format("parameter '{}' must be from {} to {}", name, lo, hi));
  }
  return static_cast<int64_t>(x);
}

Result<std::string> DateParam(const httplib::Request& req, const char* name) {
  std::string d = Param(req, name);
  if (d.empty()) return d;
  if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !ParseIsoTime(d + "T00:00:00Z")) {
    return Status::InvalidArgument(fmt::format("parameter '{}' must be YYYY-MM-DD", name));
  }
  return d;
}

Result<std::string> FormatParam(const httplib::Request& req) {
  std::string format = req.has_param("format") ? Param(req, "format") : "json";
  if (format != "json" && format != "csv") {
    return Status::InvalidArgument("parameter 'format' must be json or csv");
  }
  return format;
}

void Answer(httplib::Response& res, const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return;
    case StatusCode::kInvalidArgument:
    case StatusCode::kLimitExceeded:
      static_cast<void>(Error(res, 400, s.message()));
      return;
    case StatusCode::kNotFound:
      static_cast<void>(Error(res, 404, s.message()));
      return;
    default:
      static_cast<void>(Error(res, 500, s.message()));
      return;
  }
}

Status Csv(httplib::Response& res, std::string body) {
  res.status = 200;
  res.set_content(std::move(body), "text/csv; charset=utf-8");
  return Status::Ok();
}

}  // namespace vigia::serve
