#include "registry/iana.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "io/input_stream.h"

namespace vigia::registry {

std::string_view IanaStatusName(IanaStatus s) {
  switch (s) {
    case IanaStatus::kAllocated:
      return "ALLOCATED";
    case IanaStatus::kLegacy:
      return "LEGACY";
    case IanaStatus::kReserved:
      return "RESERVED";
    case IanaStatus::kUnallocated:
      return "UNALLOCATED";
  }
  return "?";
}

std::string RirFromWhois(std::string_view w) {
  if (w == "whois.afrinic.net") return "afrinic";
  if (w == "whois.apnic.net") return "apnic";
  if (w == "whois.arin.net") return "arin";
  if (w == "whois.lacnic.net") return "lacnic";
  if (w == "whois.ripe.net") return "ripencc";
  return "";
}

std::vector<CsvRow> ParseCsv(std::string_view text, size_t max_rows, bool* truncated) {
  std::vector<CsvRow> rows;
  *truncated = false;
  CsvRow row;
  std::string field;
  bool quoted = false, field_started = false, row_started = false;
  uint32_t line = 1;
  row.line = 1;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    if (row_started) {
      end_field();
      if (rows.size() >= max_rows) {
        *truncated = true;
      } else {
        rows.push_back(std::move(row));
      }
    }
    row = CsvRow();
    row_started = false;
  };
  auto append = [&](char c) {
    if (field.size() < kMaxCsvFieldBytes) {
      field.push_back(c);
    } else {
      *truncated = true;
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          append('"');
          ++i;
        } else {
          quoted = false;
        }
      } else if (c != '\r' || i + 1 >= text.size() || text[i + 1] != '\n') {
        append(c);  // a CRLF inside a quoted field is kept as LF
      }
      continue;
    }
    if (!row_started) {
      if (c == '\n' || c == '\r') {
        row.line = line;  // blank line
        continue;
      }
      row_started = true;
      row.line = line;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_row();
      row.line = line;
    } else if (c == '\r') {
      // CRLF line ends (RFC 4180 §2) or a stray CR: dropped.
    } else {
      append(c);
      field_started = true;
    }
  }
  if (rows.size() >= max_rows && row_started) *truncated = true;
  end_row();
  return rows;
}

namespace {
// "000/8" (IPv4 registry) or an ordinary prefix ("2001:0200::/23").
std::optional<Prefix> ParseIanaPrefix(std::string_view t) {
  const size_t slash = t.find('/');
  if (slash != std::string_view::npos && slash >= 1 && slash <= 3 && t.substr(slash) == "/8" &&
      std::all_of(t.begin(), t.begin() + static_cast<long>(slash),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    unsigned v = 0;
    std::from_chars(t.data(), t.data() + slash, v);
    if (v > 255) return std::nullopt;
    return Prefix(IpAddress::V4(v << 24), 8);
  }
  return Prefix::Parse(t);
}

std::string Trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return std::string(t);
}
}  // namespace

void IanaRegistry::Problem(std::string where, std::string message) {
  problems_.Add(std::move(where), std::move(message));
}

Status IanaRegistry::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = (*in)->Read(reinterpret_cast<std::byte*>(buf), sizeof buf)) > 0) {
    text.append(buf, n);
    // The registries are tens of KiB; a file far larger is not one of them.
    if (text.size() > (64u << 20))
      return Status::LimitExceeded(path + ": over 64 MiB, not an IANA CSV");
  }
  if (!(*in)->status().ok()) Problem(path, (*in)->status().message());
  return LoadText(text, path);
}

Status IanaRegistry::LoadText(std::string_view text, const std::string& name) {
  bool truncated = false;
  std::vector<CsvRow> rows = ParseCsv(text, kMaxIanaRows + 1, &truncated);
  if (rows.empty()) return Status::Corrupt(name + ": empty IANA registry CSV");
  // The header: Prefix,Designation,Date,WHOIS,RDAP,Status[ [1]],Note.
  const std::vector<std::string>& h = rows[0].fields;
  if (h.size() < 6 || Trim(h[0]) != "Prefix" || Trim(h[3]) != "WHOIS" ||
      Trim(h[5]).rfind("Status", 0) != 0) {
    return Status::Corrupt(fmt::format(
        "{}:{}: not an IANA address-space CSV (header Prefix,Designation,Date,WHOIS,RDAP,Status,"
        "Note expected)",
        name, rows[0].line));
  }
  if (truncated) Problem(name, "rows or fields over the caps were cut");
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    const std::string where = fmt::format("{}:{}", name, r.line);
    if (i > kMaxIanaRows) {
      Problem(where, fmt::format("more than {} rows; the rest is ignored", kMaxIanaRows));
      break;
    }
    if (r.fields.size() < 6) {
      Problem(where, fmt::format("{} fields, expected at least 6", r.fields.size()));
      continue;
    }
    auto prefix = ParseIanaPrefix(Trim(r.fields[0]));
    if (!prefix) {
      Problem(where, "bad prefix '" + r.fields[0].substr(0, 64) + "'");
      continue;
    }
    IanaBlock b;
    b.prefix = *prefix;
    // The status column may carry footnote marks; the word comes first.
    std::string status = Trim(r.fields[5]);
    if (status.rfind("ALLOCATED", 0) == 0)
      b.status = IanaStatus::kAllocated;
    else if (status.rfind("LEGACY", 0) == 0)
      b.status = IanaStatus::kLegacy;
    else if (status.rfind("RESERVED", 0) == 0)
      b.status = IanaStatus::kReserved;
    else if (status.rfind("UNALLOCATED", 0) == 0)
      b.status = IanaStatus::kUnallocated;
    else {
      Problem(where, "unknown status '" + status.substr(0, 64) +
                         "' (ALLOCATED, LEGACY, RESERVED or UNALLOCATED)");
      continue;
    }
    b.designation = Trim(r.fields[1]);
    b.date = Trim(r.fields[2]);
    b.whois = Trim(r.fields[3]);
    b.rir = RirFromWhois(b.whois);
    b.file = name;
    b.line = r.line;
    (b.prefix.family() == Family::kIpv4 ? have_v4_ : have_v6_) = true;
    index_.Insert(b.prefix, static_cast<uint32_t>(blocks_.size()));
    blocks_.push_back(std::move(b));
  }
  return Status::Ok();
}

const IanaBlock* IanaRegistry::Find(const Prefix& p) const {
  const IanaBlock* best = nullptr;
  index_.ForEachCovering(p, [&](const Prefix&, uint32_t i) { best = &blocks_[i]; });
  return best;
}

const IanaBlock* IanaRegistry::Find(const IpAddress& a) const {
  return Find(Prefix(a, static_cast<uint8_t>(a.bit_width())));
}

}  // namespace vigia::registry
