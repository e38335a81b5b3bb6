#include "registry/delegated.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>

#include "core/printable.h"
#include "io/input_stream.h"

namespace vigia::registry {

namespace {

// Rules cited below are those of the "RIR Statistics Exchange Format"
// (NRO/RIR joint document, version 2.3), "the format" for short.

std::vector<std::string_view> Split(std::string_view line, size_t max_fields) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (f.size() <= max_fields) {
    const size_t bar = line.find('|', start);
    if (bar == std::string_view::npos) {
      f.push_back(line.substr(start));
      break;
    }
    f.push_back(line.substr(start, bar - start));
    start = bar + 1;
  }
  return f;
}

bool ParseU64(std::string_view t, uint64_t* out) {
  if (t.empty() || t.size() > 20) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && p == t.data() + t.size();
}

bool AllDigits(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Printable, for quoting input in messages without dumping binary junk.
std::string Quote(std::string_view t) {
  std::string s;
  for (char c : t.substr(0, 64)) {
    s.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (t.size() > 64) s += "...";
  return "'" + s + "'";
}

bool ParseType(std::string_view t, ResourceType* out) {
  if (t == "asn")
    *out = ResourceType::kAsn;
  else if (t == "ipv4")
    *out = ResourceType::kIpv4;
  else if (t == "ipv6")
    *out = ResourceType::kIpv6;
  else
    return false;
  return true;
}

bool ParseStatus(std::string_view t, DelegationStatus* out) {
  if (t == "allocated")
    *out = DelegationStatus::kAllocated;
  else if (t == "assigned")
    *out = DelegationStatus::kAssigned;
  else if (t == "available")
    *out = DelegationStatus::kAvailable;
  else if (t == "reserved")
    *out = DelegationStatus::kReserved;
  else if (t == "ietf")
    *out = DelegationStatus::kIetf;
  else if (t == "iana")
    *out = DelegationStatus::kIana;
  else
    return false;
  return true;
}

// The format: "date ... YYYYMMDD"; registries write an empty field or
// 00000000 when the date is unknown or the space undelegated.
bool ParseDate(std::string_view t, uint32_t* out) {
  if (t.empty() || t == "00000000") {
    *out = 0;
    return true;
  }
  uint64_t v = 0;
  if (t.size() != 8 || !AllDigits(t) || !ParseU64(t, &v)) return false;
  const uint32_t month = static_cast<uint32_t>(v / 100 % 100), day = static_cast<uint32_t>(v % 100);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ValidRegistryName(std::string_view t) {
  if (t.empty() || t.size() > 16) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool ValidCountry(std::string_view t) {
  return t.empty() || (t.size() == 2 && t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z');
}

}  // namespace

std::string_view ResourceTypeName(ResourceType t) {
  switch (t) {
    case ResourceType::kAsn:
      return "asn";
    case ResourceType::kIpv4:
      return "ipv4";
    case ResourceType::kIpv6:
      return "ipv6";
  }
  return "?";
}

std::string_view DelegationStatusName(DelegationStatus s) {
  switch (s) {
    case DelegationStatus::kAllocated:
      return "allocated";
    case DelegationStatus::kAssigned:
      return "assigned";
    case DelegationStatus::kAvailable:
      return "available";
    case DelegationStatus::kReserved:
      return "reserved";
    case DelegationStatus::kIetf:
      return "ietf";
    case DelegationStatus::kIana:
      return "iana";
  }
  return "?";
}

std::string DelegatedRecord::StartText() const {
  if (type == ResourceType::kAsn) return std::to_string(static_cast<uint64_t>(first));
  return IntToAddress(family(), first).ToString();
}

bool ParseDelegatedRecord(std::string_view line, DelegatedRecord* out, std::string* why) {
  const std::vector<std::string_view> f = Split(line, kMaxDelegatedFields);
  if (f.size() > kMaxDelegatedFields) {
    *why = fmt::format("more than {} fields", kMaxDelegatedFields);
    return false;
  }
  if (f.size() < 7) {
    *why = fmt::format(
        "{} fields, a record has at least 7 "
        "(registry|cc|type|start|value|date|status)",
        f.size());
    return false;
  }
  if (!ValidRegistryName(f[0])) {
    *why = "bad registry " + Quote(f[0]);
    return false;
  }
  if (!ValidCountry(f[1])) {
    *why = "bad country code " + Quote(f[1]) + " (ISO 3166 alpha-2 expected)";
    return false;
  }
  if (!ParseType(f[2], &out->type)) {
    *why = "unknown type " + Quote(f[2]) + " (asn, ipv4 or ipv6)";
    return false;
  }
  uint64_t value = 0;
  if (!ParseU64(f[4], &value)) {
    *why = "bad value " + Quote(f[4]);
    return false;
  }
  switch (out->type) {
    case ResourceType::kAsn: {
      // The format: value is the count of ASNs from start.
      uint64_t start = 0;
      if (!ParseU64(f[3], &start) || start > 0xFFFFFFFFull) {
        *why = "bad AS number " + Quote(f[3]);
        return false;
      }
      if (value == 0 || value - 1 > 0xFFFFFFFFull - start) {
        *why = fmt::format("AS count {} from {} runs past AS4294967295 or is zero", value, start);
        return false;
      }
      out->first = start;
      out->last = start + value - 1;
      break;
    }
    case ResourceType::kIpv4: {
      // The format: for ipv4, value is the count of addresses, which need not
      // be a power of two nor describe an aligned block.
      auto a = IpAddress::Parse(f[3]);
      if (!a || !a->is_v4()) {
        *why = "bad IPv4 address " + Quote(f[3]);
        return false;
      }
      const uint64_t start = a->v4();
      if (value == 0 || value - 1 > 0xFFFFFFFFull - start) {
        *why = fmt::format("address count {} from {} runs past 255.255.255.255 or is zero", value,
                           a->ToString());
        return false;
      }
      out->first = start;
      out->last = start + value - 1;
      break;
    }
    case ResourceType::kIpv6: {
      // The format: for ipv6, value is the prefix length (RFC 4291 §2.3).
      auto a = IpAddress::Parse(f[3]);
      if (!a || !a->is_v6()) {
        *why = "bad IPv6 address " + Quote(f[3]);
        return false;
      }
      if (value > 128) {
        *why = fmt::format("IPv6 prefix length {} over 128", value);
        return false;
      }
      const Prefix p(*a, static_cast<uint8_t>(value));
      if (p.HasHostBits()) {
        *why = fmt::format("{}/{} has bits set past the prefix length (RFC 4291 §2.3)",
                           a->ToString(), value);
        return false;
      }
      RangeSet one(Family::kIpv6);
      one.Add(p);
      out->first = one.ranges()[0].first;
      out->last = one.ranges()[0].last;
      break;
    }
  }
  if (!ParseDate(f[5], &out->date)) {
    *why = "bad date " + Quote(f[5]) + " (YYYYMMDD, empty or 00000000)";
    return false;
  }
  if (!ParseStatus(f[6], &out->status)) {
    *why = "unknown status " + Quote(f[6]) +
           " (allocated, assigned, available, reserved, ietf or iana)";
    return false;
  }
  out->registry.assign(f[0]);
  out->cc.assign(f[1]);
  out->value = value;
  out->opaque_id.clear();
  out->extensions.clear();
  if (f.size() > 7) out->opaque_id.assign(f[7]);
  for (size_t i = 8; i < f.size(); ++i) {
    if (i > 8) out->extensions.push_back('|');
    out->extensions.append(f[i]);
  }
  return true;
}

void DelegatedStats::Problem(std::string where, std::string message) {
  problems_.Add(std::move(where), std::move(message));
}

Status DelegatedStats::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = (*in)->Read(reinterpret_cast<std::byte*>(buf), sizeof buf)) > 0) {
    if (text.size() + n > kMaxDelegatedFileBytes) {
      return Status::LimitExceeded(
          fmt::format("{}: more than {} MiB after decompression (kMaxDelegatedFileBytes); not read",
                      Printable(path), kMaxDelegatedFileBytes >> 20));
    }
    text.append(buf, n);
  }
  Status s = LoadText(text, path);
  // A damaged compressed file still yields the records before the damage.
  if (!(*in)->status().ok()) {
    Problem(path, (*in)->status().message() + "; the records before it were read");
  }
  return s;
}

Status DelegatedStats::LoadText(std::string_view text, const std::string& name) {
  if (files_.size() >= 0xFFFFFFFFu) return Status::LimitExceeded(name + ": too many files");
  files_.emplace_back();
  DelegatedFileInfo* info = &files_.back();
  info->path = name;
  size_t pos = 0;
  uint32_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line_no == 0xFFFFFFFFu) {
      Problem(name, "more than 4294967295 lines; the rest is ignored");
      break;
    }
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxDelegatedLineLength) {
      Problem(fmt::format("{}:{}", name, line_no),
              fmt::format("line of {} bytes, over the {}-byte cap", line.size(),
                          kMaxDelegatedLineLength));
      continue;
    }
    ParseLine(line, line_no, info);
  }
  Finish(info);
  return Status::Ok();
}

void DelegatedStats::ParseLine(std::string_view line, uint32_t line_no, DelegatedFileInfo* info) {
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  // The format: lines starting with '#' are comments.
  if (line[0] == '#') return;
  auto where = [&] { return fmt::format("{}:{}", info->path, line_no); };
  const std::vector<std::string_view> f = Split(line, kMaxDelegatedFields);
  // The version line comes first: version|registry|serial|records|startdate|
  // enddate|UTCoffset, the version being a number such as 2 or 2.3.
  const bool looks_like_version =
      !f[0].empty() && std::all_of(f[0].begin(), f[0].end(),
                                   [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (looks_like_version) {
    if (info->header.line != 0) {
      Problem(where(), "a second version line");
      return;
    }
    uint64_t count = 0;
    if (f.size() != 7 || !ValidRegistryName(f[1]) || !ParseU64(f[3], &count)) {
      Problem(where(), fmt::format("bad version line ({} fields; expected version|registry|"
                                   "serial|records|startdate|enddate|UTCoffset)",
                                   f.size()));
      return;
    }
    info->header = {std::string(f[0]), std::string(f[1]), std::string(f[2]), count,
                    std::string(f[4]), std::string(f[5]), std::string(f[6]), line_no};
    return;
  }
  // Summary: registry|*|type|*|count|summary.
  if (f.size() == 6 && f[5] == "summary") {
    ResourceType type;
    uint64_t count = 0;
    if (f[1] != "*" || f[3] != "*" || !ParseType(f[2], &type) || !ParseU64(f[4], &count)) {
      Problem(where(), "bad summary line (expected registry|*|type|*|count|summary)");
      return;
    }
    const int t = static_cast<int>(type);
    info->summary[t] = count;
    info->have_summary[t] = true;
    return;
  }
  if (records_.size() >= kMaxDelegatedRecords) {
    Problem(where(), fmt::format("more than {} records; line ignored", kMaxDelegatedRecords));
    return;
  }
  DelegatedRecord r;
  std::string why;
  if (!ParseDelegatedRecord(line, &r, &why)) {
    Problem(where(), why);
    return;
  }
  r.file = static_cast<uint32_t>(files_.size() - 1);
  r.line = line_no;
  r.text.assign(line);
  ++info->records[static_cast<int>(r.type)];
  records_.push_back(std::move(r));
}

void DelegatedStats::Finish(DelegatedFileInfo* info) {
  if (info->header.line == 0) {
    warnings_.push_back({info->path, "no version line (version|registry|serial|records|...)"});
    return;
  }
  uint64_t total = 0;
  for (int t = 0; t < 3; ++t) {
    total += info->records[t];
    if (info->have_summary[t] && info->summary[t] != info->records[t]) {
      warnings_.push_back(
          {info->path,
           fmt::format("summary line says {} {} records, {} read", info->summary[t],
                       ResourceTypeName(static_cast<ResourceType>(t)), info->records[t])});
    }
  }
  if (info->header.records != total) {
    warnings_.push_back(
        {fmt::format("{}:{}", info->path, info->header.line),
         fmt::format("version line says {} records, {} read", info->header.records, total)});
  }
}

std::vector<std::string> DelegatedStats::Registries() const {
  std::set<std::string> s;
  for (const DelegatedRecord& r : records_) s.insert(r.registry);
  return {s.begin(), s.end()};
}

}  // namespace vigia::registry
