// The write API: contests (serve/api.h).
#include <fmt/format.h>

#include "serve/api.h"

namespace vigia::serve {

namespace {

// Compares without leaking where two strings first differ.
bool SameSecret(const std::string& given, const std::string& want) {
  if (want.empty()) return false;
  unsigned char diff = given.size() == want.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ want[i % want.size()]);
  }
  return diff == 0;
}

// Text a person typed: 1..max bytes, trimmed, no control characters.
Result<std::string> PlainText(const ordered_json& body, const char* field, size_t max) {
  if (!body.contains(field) || !body[field].is_string()) {
    return Status::InvalidArgument(
        fmt::format("field '{}' is required and must be a string", field));
  }
  std::string v = body[field].get<std::string>();
  const size_t b = v.find_first_not_of(" \t");
  const size_t e = v.find_last_not_of(" \t");
  v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
  if (v.empty()) return Status::InvalidArgument(fmt::format("field '{}' is empty", field));
  if (v.size() > max)
    return Status::InvalidArgument(fmt::format("field '{}' is longer than {} bytes", field, max));
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument(fmt::format("field '{}' holds a control character", field));
  }
  return v;
}

}  // namespace

// The write API: an operator contests an incident with a reason. Needs
// the configured bearer token (RFC 6750 §2.1); the contest is appended to
// the audit log with its author, time and client address, and the
// incident stays as it was.
Status Api::Contest(const httplib::Request& req, httplib::Response& res) {
  if (opts_.token.empty()) {
    return Error(res, 403, "writes are disabled: start vigia serve with --token-file");
  }
  const std::string auth = req.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (auth.size() <= bearer.size() || auth.compare(0, bearer.size(), bearer) != 0 ||
      !SameSecret(auth.substr(bearer.size()), opts_.token)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"vigia\"");
    return Error(res, 401, "a valid bearer token is required");
  }
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    return Error(res, 415, "the body must be JSON (Content-Type: application/json)");
  }
  SERVE_RETURN_IF_ERROR(Allow(req, {"date"}));
  const ordered_json body = ordered_json::parse(req.body, nullptr, false);
  if (!body.is_object())
    return Status::InvalidArgument("the body must be a JSON object with 'author' and 'reason'");
  for (const auto& [k, v] : body.items()) {
    if (k != "author" && k != "reason")
      return Status::InvalidArgument(fmt::format("unknown field '{}'", k));
  }
  store::ContestRow c;
  SERVE_ASSIGN_OR_RETURN(c.author, PlainText(body, "author", 200));
  SERVE_ASSIGN_OR_RETURN(c.reason, PlainText(body, "reason", 4000));
  auto found = FindIncident(req);
  if (!found.ok()) return found.status();
  c.snapshot = found->first.id;
  c.incident = found->second.id;
  c.remote = req.remote_addr;
  auto stored = store_->AddContest(c);
  if (!stored.ok()) return stored.status();
  return Json(res, 201, {{"contest", report::ContestJson(*stored)}});
}

}  // namespace vigia::serve
