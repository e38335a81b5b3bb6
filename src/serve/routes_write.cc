// The write API: contests, their review, and the audit log (serve/api.h,
// docs/contests.md). Every caller is a bearer token of the store
// (store/tokens.h; RFC 6750 §2.1 "Authorization: Bearer TOKEN"): an
// operator contests incidents that involve its ASNs, a reviewer accepts or
// rejects contests and reads the audit log. Every write, allowed or
// refused, is appended to the audit log with who, what, when, from where
// and the outcome.
#include <fmt/format.h>

#include <algorithm>

#include "core/printable.h"
#include "serve/api.h"
#include "store/tokens.h"

namespace vigia::serve {

namespace {

// A token longer than this is no token of ours (they are 64 hex digits).
constexpr size_t kMaxTokenBytes = 200;

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

// The JSON object body of a write, with only the fields listed.
Result<ordered_json> JsonBody(const httplib::Request& req,
                              std::initializer_list<const char*> fields) {
  const ordered_json body = ordered_json::parse(req.body, nullptr, false);
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  for (const auto& item : body.items()) {
    const std::string& k = item.key();
    if (std::find_if(fields.begin(), fields.end(), [&](const char* f) { return k == f; }) ==
        fields.end())
      return Status::InvalidArgument(fmt::format("unknown field '{}'", k));
  }
  return body;
}

bool IsJson(const httplib::Request& req) {
  return req.get_header_value("Content-Type").rfind("application/json", 0) == 0;
}

// 401 (RFC 6750 §3: no token, or error="invalid_token").
Status Unauthorized(httplib::Response& res, const std::string& why, bool token_given) {
  res.set_header("WWW-Authenticate", token_given ? "Bearer realm=\"vigia\", error=\"invalid_token\""
                                                 : "Bearer realm=\"vigia\"");
  return Error(res, 401, why);
}

// 403 (RFC 6750 §3.1 insufficient_scope): a valid token that may not do this.
Status Forbidden(httplib::Response& res, const std::string& why) {
  res.set_header("WWW-Authenticate", "Bearer realm=\"vigia\", error=\"insufficient_scope\"");
  return Error(res, 403, why);
}

// The HTTP status Answer() gives a failed Status.
int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kLimitExceeded:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

std::string AsnList(const std::vector<Asn>& asns) {
  std::string out;
  for (Asn a : asns) out += (out.empty() ? "AS" : ", AS") + std::to_string(a);
  return out;
}

ordered_json AuditJson(const store::AuditRow& a) {
  return {{"id", a.id},
          {"time", a.time},
          {"token", a.token ? ordered_json(a.token) : ordered_json(nullptr)},
          {"who", a.who},
          {"action", a.action},
          {"target", a.target},
          {"remote", a.remote},
          {"outcome", a.outcome}};
}

}  // namespace

Result<Api::Caller> Api::Authenticate(const httplib::Request& req) {
  Caller c;
  const std::string auth = req.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (auth.empty()) {
    c.why = "a bearer token is required (Authorization: Bearer TOKEN; see vigia token create)";
    return c;
  }
  c.token_given = true;
  if (auth.size() <= bearer.size() || auth.compare(0, bearer.size(), bearer) != 0 ||
      auth.size() - bearer.size() > kMaxTokenBytes) {
    c.why = "the Authorization header must be 'Bearer TOKEN'";
    return c;
  }
  auto found = store::FindToken(db(), std::string_view(auth).substr(bearer.size()));
  if (!found.ok()) return found.status();
  if (!*found) {
    c.why = "the token is not valid";
  } else if (!(*found)->revoked.empty()) {
    c.why = "the token was revoked";
    c.revoked = std::move(**found);
  } else {
    c.token = std::move(**found);
  }
  return c;
}

Status Api::Audited(store::AuditRow a, const Status& s, httplib::Response& res) {
  int code = res.status;
  std::string why;
  if (!s.ok()) {
    code = HttpStatusOf(s);
    why = s.message();
  } else if (code >= 300) {
    const auto j = ordered_json::parse(res.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_string())
      why = j["error"].get<std::string>();
  }
  a.outcome = code < 300 ? "ok" : fmt::format("{} {}", code, PrintableHead(why, 500));
  // A write that cannot be audited is answered 500, though it was made.
  auto w = db().AddAudit(a);
  if (!w.ok()) return w.status();
  return s;
}

// An operator contests an incident with a reason (POST
// /api/incidents/{id}/contest). The author is the token's name; the
// incident's culprit or propagator must be one of the token's ASNs.
Status Api::Contest(const httplib::Request& req, httplib::Response& res) {
  store::AuditRow a{
      0, "", 0, "anonymous", "contest", "incident " + std::string(req.matches[1]), req.remote_addr,
      ""};
  const Status s = DoContest(req, res, &a);
  return Audited(std::move(a), s, res);
}

Result<store::TokenRow> Api::WriteCaller(const httplib::Request& req, httplib::Response& res,
                                         store::AuditRow* a, const std::string& role,
                                         const std::string& refusal) {
  SERVE_ASSIGN_OR_RETURN(const Caller who, Authenticate(req));
  if (!who.token) {
    if (who.revoked) {  // the log names who tried with a revoked token
      a->token = who.revoked->id;
      a->who = who.revoked->name;
    }
    return Unauthorized(res, who.why, who.token_given);
  }
  a->token = who.token->id;
  a->who = who.token->name;
  if (who.token->role != role) return Forbidden(res, refusal);
  if (!IsJson(req))
    return Error(res, 415, "the body must be JSON (Content-Type: application/json)");
  return *who.token;
}

Status Api::DoContest(const httplib::Request& req, httplib::Response& res, store::AuditRow* a) {
  SERVE_ASSIGN_OR_RETURN(
      const store::TokenRow token,
      WriteCaller(req, res, a, "operator",
                  "only an operator token contests incidents; a reviewer reviews them"));
  SERVE_RETURN_IF_ERROR(Allow(req, {"date"}));
  // "author" is still accepted (and checked) for the clients written when
  // it was free text, but the author is now the token's name.
  SERVE_ASSIGN_OR_RETURN(const ordered_json body, JsonBody(req, {"reason", "author"}));
  store::ContestRow c;
  SERVE_ASSIGN_OR_RETURN(c.reason, PlainText(body, "reason", 4000));
  if (body.contains("author")) SERVE_RETURN_IF_ERROR(PlainText(body, "author", 200).status());
  auto found = FindIncident(req);
  if (!found.ok()) return found.status();
  const auto& [snap, row] = *found;
  a->target = fmt::format("incident {}/{}", snap.date, row.id);
  // The ASNs an incident involves: its culprit, its propagator and, for a
  // hijack, its victims (who may contest it too).
  std::vector<Asn> involved = {row.culprit};
  if (row.propagator) involved.push_back(*row.propagator);
  involved.insert(involved.end(), row.victims.begin(), row.victims.end());
  const auto& mine = token.asns;
  if (std::none_of(involved.begin(), involved.end(),
                   [&](Asn x) { return std::find(mine.begin(), mine.end(), x) != mine.end(); })) {
    return Forbidden(res, fmt::format("the token speaks for {}; incident {} involves {}",
                                      AsnList(mine), row.id, AsnList(involved)));
  }
  c.author = token.name;
  c.snapshot = snap.id;
  c.incident = row.id;
  c.remote = req.remote_addr;
  auto stored = db().AddContest(c);
  if (!stored.ok()) return stored.status();
  return Json(res, 201, {{"contest", report::ContestJson(*stored)}});
}

// A reviewer accepts or rejects a contest (POST /api/contests/{id}/review):
// {"decision": "accept"|"reject", "reason": "..."}. Accepting queues a
// re-analysis of the contest's date (serve/recompute.h).
Status Api::Review(const httplib::Request& req, httplib::Response& res) {
  store::AuditRow a{
      0, "", 0, "anonymous", "review", "contest " + std::string(req.matches[1]), req.remote_addr,
      ""};
  std::string recompute;
  const Status s = DoReview(req, res, &a, &recompute);
  const Status audited = Audited(std::move(a), s, res);
  // After the review's audit row, so that the log reads in order.
  if (!recompute.empty()) recompute_->Enqueue(recompute);
  return audited;
}

Status Api::DoReview(const httplib::Request& req, httplib::Response& res, store::AuditRow* a,
                     std::string* recompute_date) {
  SERVE_ASSIGN_OR_RETURN(
      const store::TokenRow token,
      WriteCaller(req, res, a, "reviewer", "only a reviewer token reviews contests"));
  SERVE_RETURN_IF_ERROR(Allow(req, {}));
  SERVE_ASSIGN_OR_RETURN(const ordered_json body, JsonBody(req, {"decision", "reason"}));
  SERVE_ASSIGN_OR_RETURN(const std::string decision, PlainText(body, "decision", 20));
  if (decision != "accept" && decision != "reject")
    return Status::InvalidArgument("field 'decision' must be 'accept' or 'reject'");
  store::ReviewRow r;
  SERVE_ASSIGN_OR_RETURN(r.reason, PlainText(body, "reason", 4000));
  r.contest = std::stoll(std::string(req.matches[1]));
  r.decision = decision == "accept" ? "accepted" : "rejected";
  r.reviewer = token.name;
  r.remote = req.remote_addr;
  store::ContestQuery q;
  q.id = r.contest;
  auto before = db().ListContests(q);
  if (!before.ok()) return before.status();
  if (before->empty()) return Status::NotFound(fmt::format("no contest {}", r.contest));
  const store::ContestRow& c = before->front();
  if (c.review) {
    return Error(res, 409,
                 fmt::format("contest {} was already {} by {} at {}", c.id, c.review->decision,
                             c.review->reviewer, c.review->time));
  }
  auto stored = db().AddReview(r);
  if (!stored.ok()) {
    // A review written since the check above (the CLI, another process).
    if (stored.status().code() == StatusCode::kInvalidArgument &&
        stored.status().message().rfind("already reviewed", 0) == 0)
      return Error(res, 409, stored.status().message());
    return stored.status();
  }
  auto after = db().ListContests(q);
  if (!after.ok()) return after.status();
  ordered_json recompute = nullptr;
  if (r.decision == "accepted") {
    *recompute_date = c.date;
    recompute = {{"date", c.date}, {"state", "queued"}};
  }
  return Json(res, 201,
              {{"contest", report::ContestJson(after->front())}, {"recompute", recompute}});
}

// The review queue (GET /api/contests?state=&as=&limit=&offset=): a
// reviewer sees every contest, an operator those of its own ASNs.
Status Api::ListContests(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"state", "as", "limit", "offset"}));
  SERVE_ASSIGN_OR_RETURN(const Caller who, Authenticate(req));
  if (!who.token) return Unauthorized(res, who.why, who.token_given);
  store::ContestQuery q;
  q.state = Param(req, "state");
  if (!q.state.empty() && q.state != "submitted" && q.state != "accepted" && q.state != "rejected")
    return Status::InvalidArgument("parameter 'state' must be submitted, accepted or rejected");
  std::optional<Asn> as;
  if (req.has_param("as")) {
    SERVE_ASSIGN_OR_RETURN(const int64_t asn, IntParam(req, "as", 0, 0, 4294967295LL));
    as = static_cast<Asn>(asn);
  }
  SERVE_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
  SERVE_ASSIGN_OR_RETURN(const int64_t offset, IntParam(req, "offset", 0, 0, 1'000'000'000));
  q.limit = static_cast<size_t>(limit);
  q.offset = static_cast<size_t>(offset);
  const auto& mine = who.token->asns;
  if (who.token->role == "operator") {
    if (as && std::find(mine.begin(), mine.end(), *as) == mine.end())
      return Forbidden(res, fmt::format("the token speaks for {}, not AS{}", AsnList(mine), *as));
    q.asns = as ? std::vector<Asn>{*as} : mine;
  } else if (as) {
    q.asns = {*as};
  }
  auto rows = db().ListContests(q);
  if (!rows.ok()) return rows.status();
  ordered_json out = ordered_json::array();
  for (const auto& c : *rows) out.push_back(report::ContestJson(c));
  return Json(res, 200, {{"limit", q.limit}, {"offset", q.offset}, {"contests", std::move(out)}});
}

// The audit log, newest first (GET /api/audit?limit=&offset=): reviewers
// only.
Status Api::AuditLog(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"limit", "offset"}));
  SERVE_ASSIGN_OR_RETURN(const Caller who, Authenticate(req));
  if (!who.token) return Unauthorized(res, who.why, who.token_given);
  if (who.token->role != "reviewer")
    return Forbidden(res, "only a reviewer token reads the audit log");
  SERVE_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
  SERVE_ASSIGN_OR_RETURN(const int64_t offset, IntParam(req, "offset", 0, 0, 1'000'000'000));
  auto rows = db().Audit(static_cast<size_t>(limit), static_cast<size_t>(offset));
  if (!rows.ok()) return rows.status();
  ordered_json out = ordered_json::array();
  for (const auto& a : *rows) out.push_back(AuditJson(a));
  return Json(res, 200, {{"limit", limit}, {"offset", offset}, {"audit", std::move(out)}});
}

}  // namespace vigia::serve
