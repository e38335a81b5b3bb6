// Prefix -> origin tables, to seed a simulation with real address space
// (issue [3/5] item 3): the ip-location-db ASN CSV (ip_start,ip_end,asn,org;
// ranges, turned into the fewest CIDR prefixes that cover them exactly) and
// pyasn's IPASN files (prefix<TAB>asn, ';' comments). The format is told
// from each line; any compression io::InputStream reads.
//
// A bad line is reported as file:line, skipped and counted. Ranges that
// are not aligned come out as several prefixes with the same origin.
#pragma once

#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/problem_log.h"
#include "core/status.h"

namespace vigia::sim {

struct PrefixOrigin {
  Prefix prefix;
  Asn origin = 0;
  friend bool operator==(const PrefixOrigin&, const PrefixOrigin&) = default;
};

class PrefixOriginTable {
 public:
  Status LoadFile(const std::string& path);
  Status LoadText(std::string_view text, const std::string& name);

  const std::vector<PrefixOrigin>& routes() const { return routes_; }
  size_t skipped() const { return problems_.count(); }
  // Bad lines, where is "file:line".
  const ProblemLog& problems() const { return problems_; }

 private:
  void Line(std::string_view line, const std::string& where);
  void Problem(const std::string& where, std::string message);

  std::vector<PrefixOrigin> routes_;
  ProblemLog problems_;
};

// The fewest prefixes that cover [first, last] exactly (same family;
// first <= last), appended to *out.
void RangeToPrefixes(const IpAddress& first, const IpAddress& last, std::vector<Prefix>* out);

}  // namespace vigia::sim
