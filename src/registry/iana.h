// The IANA number registries that say who holds each top-level block: the
// IPv4 Address Space registry (one row per /8) and the IPv6 Global Unicast
// Address Assignments registry, both in the CSV form IANA publishes
// (https://www.iana.org/assignments/ipv4-address-space/ and
// .../ipv6-unicast-address-assignments/). Columns: Prefix, Designation, Date,
// WHOIS, RDAP, Status, Note; fields may be quoted and span lines (RFC 4180).
//
// The WHOIS column names the RIR that administers the block, which is how a
// block is placed in an RIR's region (a LEGACY /8 "Administered by AFRINIC"
// is AFRINIC's as much as an ALLOCATED one).
//
// IPv6 outside 2000::/3 is not in the unicast CSV; RFC 4291 §2.4 and the IANA
// IPv6 Address Space registry leave all of it reserved by the IETF except the
// special blocks (fc00::/7, fe80::/10, ff00::/8), see kIpv6GlobalUnicast.
//
// An IanaRegistry owns its rows; built once, then read-only and safe to
// share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/limits.h"
#include "core/prefix_trie.h"
#include "core/status.h"
#include "registry/delegated.h"

namespace vigia::registry {

enum class IanaStatus : uint8_t { kAllocated, kLegacy, kReserved, kUnallocated };
std::string_view IanaStatusName(IanaStatus s);

struct IanaBlock {
  Prefix prefix;
  std::string designation;  // "LACNIC", "Administered by ARIN", "Multicast"
  std::string date;         // "2010-06", "1999-07-01"
  std::string whois;        // "whois.lacnic.net"
  IanaStatus status = IanaStatus::kAllocated;
  std::string rir;  // from the WHOIS column: "lacnic", ..., or ""
  std::string file;
  uint32_t line = 0;
};

// RFC 4291 §2.4: the Global Unicast space IANA delegates from.
inline const Prefix kIpv6GlobalUnicast(*IpAddress::Parse("2000::"), 3);

// "whois.lacnic.net" -> "lacnic", whois.ripe.net -> "ripencc" (the name the
// delegated files use); "" for anything else.
std::string RirFromWhois(std::string_view whois);

// kMaxIanaRows, kMaxCsvFieldBytes: core/limits.h.

class IanaRegistry {
 public:
  // Reads either CSV (the family is taken from the prefixes). Fails only
  // when the file cannot be read or is not an IANA address-space CSV.
  Status LoadFile(const std::string& path);
  Status LoadText(std::string_view text, const std::string& name);

  const std::vector<IanaBlock>& blocks() const { return blocks_; }
  // The most specific block covering a, or nullptr.
  const IanaBlock* Find(const IpAddress& a) const;
  const IanaBlock* Find(const Prefix& p) const;
  bool has(Family f) const { return f == Family::kIpv4 ? have_v4_ : have_v6_; }
  size_t skipped() const { return problems_.count(); }
  const ProblemLog& problems() const { return problems_; }

 private:
  void Problem(std::string where, std::string message);

  std::vector<IanaBlock> blocks_;
  PrefixTrie<uint32_t> index_;
  bool have_v4_ = false, have_v6_ = false;
  ProblemLog problems_;
};

// RFC 4180 CSV rows: quoted fields may hold commas, doubled quotes and line
// breaks. Each row comes with the line it starts on. Rows past max_rows and
// fields longer than kMaxCsvFieldBytes are cut, *truncated set.
struct CsvRow {
  std::vector<std::string> fields;
  uint32_t line = 0;
};
std::vector<CsvRow> ParseCsv(std::string_view text, size_t max_rows, bool* truncated);

}  // namespace vigia::registry
