// /api/history/prefix?p=P and /api/history/asn?a=N (issue 18 item 4): the
// routing history of a prefix (its origins and paths per day) and of an AS
// (the prefixes it originated per day), read from the route archive that
// `vigia analyze --archive` fills (archive/route_archive.h,
// docs/archive.md), not from the store: `vigia serve --archive URL`.
//
// Both take from/to (YYYY-MM-DD, inclusive) and limit (rows of the
// archive's answer, at most --max-page; "truncated": true when there were
// more). Without --archive they answer 404 saying so.
//
// Not cached (RouteSpec kNone): the archive is written apart from the
// store, so the store's generation says nothing about it.
//
// Thread safety: a handler of Api (serve/api.h); each worker thread keeps
// an archive connection of its own (thread_local), as RouteArchive asks.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "archive/route_archive.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/time_format.h"
#include "serve/api.h"

namespace vigia::serve {

namespace {

// This worker thread's archive connection to `url`, opened on first use.
Result<archive::RouteArchive*> ArchiveOf(const std::string& url) {
  thread_local std::string open_url;
  thread_local std::optional<archive::RouteArchive> open;
  if (!open || open_url != url) {
    open.reset();
    auto a = archive::RouteArchive::Open(url);
    if (!a.ok()) return a.status();
    open.emplace(std::move(a).value());
    open_url = url;
  }
  return &*open;
}

Status NoArchive() {
  return Status::NotFound(
      "no route archive: this server was started without --archive "
      "clickhouse://HOST:PORT/DB (vigia analyze --archive fills one; docs/archive.md)");
}

// A date parameter that names a day of the calendar: DateParam, and
// 2026-02-30 refused (it would read as March 2nd).
Result<std::string> Day(const httplib::Request& req, const char* name) {
  SERVE_ASSIGN_OR_RETURN(std::string d, DateParam(req, name));
  if (d.empty()) return d;
  const std::optional<int64_t> t = ParseIsoTime(d + "T00:00:00Z");
  if (!t || IsoTime(*t).substr(0, 10) != d) {
    return Status::InvalidArgument(
        fmt::format("parameter '{}' is not a day of the calendar", name));
  }
  return d;
}

// from, to and limit, checked.
Result<archive::HistoryQuery> HistoryParams(const httplib::Request& req, size_t max_page) {
  archive::HistoryQuery q;
  SERVE_ASSIGN_OR_RETURN(q.from, Day(req, "from"));
  SERVE_ASSIGN_OR_RETURN(q.to, Day(req, "to"));
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) {
    return Status::InvalidArgument("parameter 'from' is after 'to'");
  }
  SERVE_ASSIGN_OR_RETURN(
      const int64_t limit,
      IntParam(req, "limit", std::min<int64_t>(1000, max_page), 1, static_cast<int64_t>(max_page)));
  q.limit = static_cast<size_t>(limit);
  return q;
}

ordered_json Bounds(const archive::HistoryQuery& q) {
  return {{"from", q.from.empty() ? ordered_json(nullptr) : ordered_json(q.from)},
          {"to", q.to.empty() ? ordered_json(nullptr) : ordered_json(q.to)},
          {"limit", q.limit}};
}

}  // namespace

Status Api::HistoryPrefix(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"p", "from", "to", "limit"}));
  const std::string text = Param(req, "p");
  if (text.empty()) {
    return Status::InvalidArgument("parameter 'p' is required: a prefix such as 192.0.2.0/24");
  }
  const std::optional<Prefix> p = Prefix::Parse(text, /*lenient=*/true);
  if (!p) {
    return Status::InvalidArgument(
        "parameter 'p' is not a prefix (e.g. 192.0.2.0/24 or 2001:db8::/32)");
  }
  if (p->HasHostBits()) {
    return Status::InvalidArgument(fmt::format(
        "parameter 'p' has bits set after its length: did you mean {}?", p->Masked().ToString()));
  }
  SERVE_ASSIGN_OR_RETURN(const archive::HistoryQuery q, HistoryParams(req, opts_.max_page));
  if (opts_.archive.empty()) return NoArchive();
  SERVE_ASSIGN_OR_RETURN(archive::RouteArchive * a, ArchiveOf(opts_.archive));
  SERVE_ASSIGN_OR_RETURN(const auto origins, a->PrefixOrigins(*p, q));
  SERVE_ASSIGN_OR_RETURN(const auto paths, a->PrefixPaths(*p, q));

  // Days in date order, each origin with its paths (both reads come in
  // (day, origin) order).
  ordered_json days = ordered_json::array();
  size_t next_path = 0;
  for (const archive::OriginDay& o : origins.rows) {
    if (days.empty() || days.back()["date"] != o.date) {
      days.push_back({{"date", o.date}, {"origins", ordered_json::array()}});
    }
    ordered_json plist = ordered_json::array();
    while (next_path < paths.rows.size() &&
           std::tie(paths.rows[next_path].date, paths.rows[next_path].origin) <
               std::tie(o.date, o.origin)) {
      ++next_path;
    }
    for (; next_path < paths.rows.size() && paths.rows[next_path].date == o.date &&
           paths.rows[next_path].origin == o.origin;
         ++next_path) {
      const archive::PathDay& d = paths.rows[next_path];
      plist.push_back({{"path", d.path},
                       {"as_set", d.has_set},
                       {"peers", d.peers},
                       {"first", IsoTime(d.first)},
                       {"last", IsoTime(d.last)}});
    }
    days.back()["origins"].push_back({{"origin", o.origin},
                                      {"peers", o.peers},
                                      {"path_count", o.paths},
                                      {"first", IsoTime(o.first)},
                                      {"last", IsoTime(o.last)},
                                      {"paths", std::move(plist)}});
  }
  ordered_json body = {{"prefix", p->ToString()}};
  body.update(Bounds(q));
  body["days"] = std::move(days);
  body["truncated"] = origins.truncated || paths.truncated;
  return Json(res, 200, body);
}

Status Api::HistoryAsn(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"a", "from", "to", "limit"}));
  const std::string text = Param(req, "a");
  if (text.empty()) return Status::InvalidArgument("parameter 'a' is required: an AS number");
  const std::optional<Asn> asn = ParseAsn(text);
  if (!asn) {
    return Status::InvalidArgument(
        "parameter 'a' must be an AS number from 0 to 4294967295 (64496 or AS64496)");
  }
  SERVE_ASSIGN_OR_RETURN(const archive::HistoryQuery q, HistoryParams(req, opts_.max_page));
  if (opts_.archive.empty()) return NoArchive();
  SERVE_ASSIGN_OR_RETURN(archive::RouteArchive * a, ArchiveOf(opts_.archive));
  SERVE_ASSIGN_OR_RETURN(const auto prefixes, a->AsnPrefixes(*asn, q));
  ordered_json days = ordered_json::array();
  for (const archive::PrefixDay& d : prefixes.rows) {
    if (days.empty() || days.back()["date"] != d.date) {
      days.push_back({{"date", d.date}, {"prefixes", ordered_json::array()}});
    }
    days.back()["prefixes"].push_back({{"prefix", d.prefix},
                                       {"peers", d.peers},
                                       {"path_count", d.paths},
                                       {"first", IsoTime(d.first)},
                                       {"last", IsoTime(d.last)}});
  }
  ordered_json body = {{"asn", *asn}};
  body.update(Bounds(q));
  body["days"] = std::move(days);
  body["truncated"] = prefixes.truncated;
  return Json(res, 200, body);
}

}  // namespace vigia::serve
