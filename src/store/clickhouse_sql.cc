// Quoting, RowBinary and TabSeparated for the ClickHouse store.
#include "store/clickhouse_sql.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace vigia::store::clickhouse {

std::string SqlString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02X}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '\'';
  return out;
}

std::string SqlInt(int64_t v) { return fmt::format("{}", v); }

std::optional<std::string> SqlName(std::string_view name) {
  if (name.empty() || name.size() > 63) return std::nullopt;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return std::nullopt;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return std::nullopt;
  }
  return "`" + std::string(name) + "`";
}

std::string SqlStringList(const std::vector<std::string>& v) {
  if (v.empty()) return "('')";
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + SqlString(v[i]);
  return out + ")";
}

std::string SqlIntList(const std::vector<int64_t>& v) {
  if (v.empty()) return "(-1)";
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + SqlInt(v[i]);
  return out + ")";
}

uint16_t DayNumber(std::string_view d) {
  auto digits = [&](size_t b, size_t n) -> int {
    int v = 0;
    for (size_t i = b; i < b + n; ++i) {
      if (d[i] < '0' || d[i] > '9') return -1;
      v = v * 10 + (d[i] - '0');
    }
    return v;
  };
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return 0;
  const int y = digits(0, 4), m = digits(5, 2), day = digits(8, 2);
  if (y < 1970 || y > 2148 || m < 1 || m > 12 || day < 1 || day > 31) return 0;
  // Days from civil (H. Hinnant's algorithm).
  const int yy = y - (m <= 2);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int days = era * 146097 + doe - 719468;
  return days < 0 || days > 65535 ? 0 : static_cast<uint16_t>(days);
}

void RowBinary::UInt64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void RowBinary::Int64(int64_t v) { UInt64(static_cast<uint64_t>(v)); }
void RowBinary::Date(uint16_t d) {
  out_.push_back(static_cast<char>(d & 0xff));
  out_.push_back(static_cast<char>(d >> 8));
}
void RowBinary::Float64(double v) { UInt64(std::bit_cast<uint64_t>(v)); }
void RowBinary::NullableFloat64(const std::optional<double>& v) {
  UInt8(v ? 0 : 1);
  if (v) Float64(*v);
}
void RowBinary::NullableInt64(const std::optional<int64_t>& v) {
  UInt8(v ? 0 : 1);
  if (v) Int64(*v);
}
void RowBinary::String(std::string_view s) {
  uint64_t n = s.size();
  do {
    uint8_t b = n & 0x7f;
    n >>= 7;
    if (n) b |= 0x80;
    out_.push_back(static_cast<char>(b));
  } while (n);
  out_.append(s);
}

Result<std::vector<TsvRow>> ParseTsv(std::string_view text) {
  std::vector<TsvRow> rows;
  TsvRow row;
  std::string field;
  bool escaped_null = false;
  size_t width = 0;
  auto end_field = [&] {
    if (escaped_null && field.empty()) {
      row.push_back(std::nullopt);
    } else {
      row.push_back(std::move(field));
    }
    field.clear();
    escaped_null = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\t') {
      end_field();
    } else if (c == '\n') {
      end_field();
      if (rows.empty()) width = row.size();
      if (row.size() != width) {
        return Status::Corrupt(fmt::format("clickhouse: answer row {} has {} fields, not {}",
                                           rows.size() + 1, row.size(), width));
      }
      rows.push_back(std::move(row));
      row.clear();
    } else if (c == '\\') {
      if (++i >= text.size()) return Status::Corrupt("clickhouse: answer ends in a backslash");
      switch (text[i]) {
        case 'N':
          escaped_null = true;
          break;
        case 'n':
          field += '\n';
          break;
        case 't':
          field += '\t';
          break;
        case 'r':
          field += '\r';
          break;
        case 'b':
          field += '\b';
          break;
        case 'f':
          field += '\f';
          break;
        case '0':
          field += '\0';
          break;
        case 'a':
          field += '\a';
          break;
        case 'v':
          field += '\v';
          break;
        case '\\':
          field += '\\';
          break;
        case '\'':
          field += '\'';
          break;
        case '"':
          field += '"';
          break;
        default:
          return Status::Corrupt(
              fmt::format("clickhouse: unknown escape \\{} at offset {}", text[i], i));
      }
    } else {
      field += c;
    }
  }
  if (!row.empty() || !field.empty())
    return Status::Corrupt("clickhouse: answer without final newline");
  return rows;
}

}  // namespace vigia::store::clickhouse

namespace vigia::store::clickhouse {

Result<ServerUrl> ParseServerUrl(std::string_view full) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(fmt::format(
        "{}: {} (expected clickhouse://HOST:PORT/DB[?cluster=NAME], PORT the HTTP port)", full,
        why));
  };
  constexpr std::string_view kScheme = "clickhouse://";
  if (full.substr(0, kScheme.size()) != kScheme) return bad("it does not start clickhouse://");
  std::string s(full.substr(kScheme.size()));
  ServerUrl u;
  if (const size_t q = s.find('?'); q != std::string::npos) {
    const std::string query = s.substr(q + 1);
    s.resize(q);
    if (query.rfind("cluster=", 0) != 0) return bad("the only parameter is cluster=NAME");
    u.cluster = query.substr(8);
    if (!SqlName(u.cluster)) return bad("the cluster name is not [A-Za-z_][A-Za-z0-9_]*");
  }
  const size_t slash = s.find('/');
  if (slash == std::string::npos) return bad("no /DB");
  u.db = s.substr(slash + 1);
  if (!SqlName(u.db)) return bad("the database name is not [A-Za-z_][A-Za-z0-9_]{0,62}");
  std::string hostport = s.substr(0, slash);
  if (const size_t colon = hostport.rfind(':');
      colon != std::string::npos && hostport.find(']', colon) == std::string::npos) {
    const std::string port = hostport.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      return bad("the port is not a number");
    u.port = 0;
    for (char c : port) u.port = u.port * 10 + (c - '0');
    if (u.port < 1 || u.port > 65535) return bad("the port is out of range");
    hostport.resize(colon);
  }
  if (hostport.size() > 2 && hostport.front() == '[' && hostport.back() == ']')
    hostport = hostport.substr(1, hostport.size() - 2);
  if (hostport.empty()) return bad("no host");
  u.host = hostport;
  return u;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace vigia::store::clickhouse
