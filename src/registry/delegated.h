// RIR statistics exchange format: the "delegated" and "delegated-extended"
// files that AFRINIC, APNIC, ARIN, LACNIC and the RIPE NCC publish daily, and
// the NRO's combined file.
//
// A file is a version line
//     version|registry|serial|records|startdate|enddate|UTCoffset
// then one summary line per resource type
//     registry|*|type|*|count|summary
// then records
//     registry|cc|type|start|value|date|status[|opaque-id[|extensions...]]
// with '#' comment lines anywhere. type is asn, ipv4 or ipv6; value is an AS
// count, an IPv4 address count (not necessarily a power of two) or an IPv6
// prefix length. The registries differ in details this parser accepts: an
// empty or 00000000 date, an empty or ZZ country for undelegated space,
// available records without the opaque-id field (LACNIC), an AS count above
// one, "e-stats" extensions and statuses "ietf"/"iana" in the NRO file, where
// the registry field varies from line to line.
//
// DelegatedStats owns the records of any number of files. A malformed line is
// reported as file:line with the reason, skipped and counted; loading never
// stops at one. Built once, then read-only and safe to share between threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/problem_log.h"
#include "core/status.h"
#include "registry/range_set.h"

namespace vigia::registry {

enum class ResourceType : uint8_t { kAsn, kIpv4, kIpv6 };
std::string_view ResourceTypeName(ResourceType t);

// Record statuses. allocated/assigned are delegated space; available is in
// the RIR's pool; reserved is held back (returned, quarantined, for a future
// policy). The NRO file labels IETF- and IANA-held space "ietf" and "iana".
enum class DelegationStatus : uint8_t {
  kAllocated,
  kAssigned,
  kAvailable,
  kReserved,
  kIetf,
  kIana,
};
std::string_view DelegationStatusName(DelegationStatus s);
inline bool IsDelegated(DelegationStatus s) {
  return s == DelegationStatus::kAllocated || s == DelegationStatus::kAssigned;
}

struct DelegatedRecord {
  std::string registry;  // "lacnic", "ripencc", ...
  std::string cc;        // ISO 3166 alpha-2, "ZZ" or "" when undelegated
  ResourceType type = ResourceType::kAsn;
  // The resource as an inclusive integer range: ASNs, or addresses as in
  // range_set.h.
  Uint128 first = 0;
  Uint128 last = 0;
  uint64_t value = 0;  // the value field as written
  uint32_t date = 0;   // YYYYMMDD; 0 when empty or 00000000
  DelegationStatus status = DelegationStatus::kAllocated;
  std::string opaque_id;   // extended files only
  std::string extensions;  // fields after the opaque-id, '|'-joined
  uint32_t file = 0;       // index into DelegatedStats::files()
  uint32_t line = 0;
  std::string text;  // the line as read, for lookups to quote

  Family family() const { return type == ResourceType::kIpv6 ? Family::kIpv6 : Family::kIpv4; }
  // The start as text ("AS64496" style for ASNs is left to callers).
  std::string StartText() const;
};

struct DelegatedHeader {
  std::string version;  // "2", "2.3"
  std::string registry;
  std::string serial;
  uint64_t records = 0;
  std::string start_date, end_date, utc_offset;
  uint32_t line = 0;
};

struct DelegatedFileInfo {
  std::string path;
  DelegatedHeader header;           // header.line == 0 when the file had none
  uint64_t summary[3] = {0, 0, 0};  // by ResourceType, from the summary lines
  bool have_summary[3] = {false, false, false};
  uint64_t records[3] = {0, 0, 0};  // records read, by type
};

// Problems and warnings: where is "file:line" or "file".

// Caps on what input may make us hold: core/limits.h.

class DelegatedStats {
 public:
  // Reads a file of any compression (io::InputStream). Fails only when the
  // file cannot be read; bad lines become problems.
  Status LoadFile(const std::string& path);
  // The same from text; name is used in messages.
  Status LoadText(std::string_view text, const std::string& name);

  const std::vector<DelegatedRecord>& records() const { return records_; }
  const std::vector<DelegatedFileInfo>& files() const { return files_; }
  // Lines skipped (all of them, also those past the kept problems).
  size_t skipped() const { return problems_.count(); }
  const ProblemLog& problems() const { return problems_; }
  // Inconsistencies that lost no data: a summary or header count that does
  // not match the records read.
  const std::vector<LoadProblem>& warnings() const { return warnings_; }
  // Registries seen in records ("afrinic", "lacnic", ...), sorted.
  std::vector<std::string> Registries() const;

 private:
  void Problem(std::string where, std::string message);
  void ParseLine(std::string_view line, uint32_t line_no, DelegatedFileInfo* info);
  void Finish(DelegatedFileInfo* info);

  std::vector<DelegatedRecord> records_;
  std::vector<DelegatedFileInfo> files_;
  ProblemLog problems_;
  std::vector<LoadProblem> warnings_;
};

// Parses one record line into *out (file and line left alone). On failure
// returns false with the reason in *why. Exposed for tests and the fuzzer.
bool ParseDelegatedRecord(std::string_view line, DelegatedRecord* out, std::string* why);

}  // namespace vigia::registry
