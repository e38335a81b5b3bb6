// The values that cross into ClickHouse's SQL, and the bytes of its data
// formats, for the ClickHouse store (clickhouse_store.h). ClickHouse 18.16
// (Debian's) has no server-side query parameters, so every value a query
// holds goes through one of the functions here and nowhere else:
//
//   SqlString   a string literal: '...' with ClickHouse's backslash escapes
//               (docs "Syntax", "String literals": \\ \' and the C escapes;
//               every other byte is taken as it is). Every byte that could
//               end the literal or confuse a reader of the log (quote,
//               backslash, NUL, control characters, DEL) is escaped, so any
//               byte string, invalid UTF-8 included, becomes exactly one
//               literal that reads back as itself.
//   SqlInt      a number, formatted from an integer (never text pasted).
//   SqlName     a database or cluster name from the URL, accepted only when
//               it is [A-Za-z_][A-Za-z0-9_]{0,62}; it is then written
//               `quoted`.
//
// Rows are inserted in RowBinary (little-endian fixed-width numbers,
// LEB128-length strings), never as SQL text: no escaping at all, and doubles
// keep every bit (18.16's text parser rounds some doubles off by one ulp;
// measured: 1,003 random doubles as TabSeparated text came back different,
// as RowBinary identical). Answers are read as TabSeparated (\N is NULL;
// 18.16 writes doubles shortest-round-trip, so strtod gives the same bits).
//
// Thread safety: pure functions and a value type; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia::store::clickhouse {

// The audited quoting of a string value (see above).
std::string SqlString(std::string_view s);
// An integer as SQL text.
std::string SqlInt(int64_t v);
// `name` when it is a plain identifier (see above), else nullopt.
std::optional<std::string> SqlName(std::string_view name);
// "(a, b, c)" of SqlString values; "('')" when empty so that IN () parses.
std::string SqlStringList(const std::vector<std::string>& v);
std::string SqlIntList(const std::vector<int64_t>& v);

// Days since 1970-01-01 of a YYYY-MM-DD date (ClickHouse's Date), or 0 when
// the text is not one: a row's partition key only, never read back.
uint16_t DayNumber(std::string_view date);

// One row after another in RowBinary; the column order and types are the
// caller's (clickhouse_store.cc writes them beside each CREATE TABLE).
class RowBinary {
 public:
  void Int64(int64_t v);
  void UInt8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void UInt64(uint64_t v);
  void Date(uint16_t days);
  void Float64(double v);
  void NullableFloat64(const std::optional<double>& v);
  void NullableInt64(const std::optional<int64_t>& v);
  void String(std::string_view s);
  const std::string& data() const { return out_; }
  size_t size() const { return out_.size(); }
  void clear() { out_.clear(); }

 private:
  std::string out_;
};

// A TabSeparated answer, field by field: NULL (\N) is nullopt.
using TsvRow = std::vector<std::optional<std::string>>;
// Parses a whole TabSeparated answer; kCorrupt on an escape it does not
// know or a row whose width differs from the first.
Result<std::vector<TsvRow>> ParseTsv(std::string_view text);

}  // namespace vigia::store::clickhouse

namespace vigia::store::clickhouse {

// A parsed clickhouse://HOST:PORT/DB[?cluster=NAME] URL (PORT the HTTP
// port, 8123 by default; DB and NAME plain identifiers, see SqlName),
// for users of the HTTP interface other than the store (the route
// archive, archive/route_archive.h). kInvalidArgument naming what is wrong.
struct ServerUrl {
  std::string host;
  int port = 8123;
  std::string db;
  std::string cluster;  // "" = one server
};
Result<ServerUrl> ParseServerUrl(std::string_view url);
// Percent-encoding of a URL query value (RFC 3986 §2.1).
std::string UrlEncode(std::string_view s);

}  // namespace vigia::store::clickhouse
