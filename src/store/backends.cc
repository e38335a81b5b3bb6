// The registry of store backends and Store::Open over it.
#include "store/backends.h"

#include <fmt/format.h>

#include "store/clickhouse_store.h"
#include "store/sqlite_store.h"

namespace vigia::store {

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kAll = {
      {"sqlite", "sqlite:PATH", OpenSqliteStore},
      {"clickhouse", "clickhouse://HOST:PORT/DB", OpenClickHouseStore},
  };
  return kAll;
}

std::optional<std::string> UrlScheme(std::string_view url) {
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
  const size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(url[0])) return std::nullopt;
  std::string scheme;
  for (char c : url.substr(0, colon)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
      return std::nullopt;
    scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return scheme;
}

std::string BackendUsage() {
  std::string out;
  for (const Backend& b : Backends()) out += (out.empty() ? "" : ", ") + std::string(b.usage);
  return out;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& url) {
  const auto scheme = UrlScheme(url);
  if (!scheme) return Backends().front().open(url);  // a plain path
  for (const Backend& b : Backends()) {
    if (*scheme == b.scheme) return b.open(url.substr(scheme->size() + 1));
  }
  return Status::InvalidArgument(fmt::format(
      "{}: unknown store scheme '{}:' (known: {}; a path with ':' in it: write it as sqlite:PATH)",
      url, *scheme, BackendUsage()));
}

Result<SnapshotInfo> Store::SnapshotFor(const std::string& date) {
  auto snaps = Snapshots();
  if (!snaps.ok()) return snaps.status();
  for (SnapshotInfo& s : *snaps) {
    if (date.empty() || s.date == date) return std::move(s);
  }
  return Status::NotFound(date.empty() ? "the store holds no snapshot" : "no snapshot for " + date);
}

}  // namespace vigia::store
