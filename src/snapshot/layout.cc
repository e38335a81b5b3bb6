#include "snapshot/layout.h"

#include <fmt/format.h>

namespace vigia::snapshot {

namespace {

bool ContainsNoCase(std::string_view s, std::string_view needle) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(s[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

}  // namespace

const std::array<PartInfo, kPartCount>& Parts() {
  static const std::array<PartInfo, kPartCount> kAll = {{
      {Part::kMrt, "mrt", "MRT RIB dumps and updates", "every incident and metric"},
      {Part::kRpki, "rpki", "RPKI VRPs", "M7RPKI (Action 4)"},
      {Part::kIrr, "irr", "IRR route objects", "M7IRR (Action 4)"},
      {Part::kRegistry, "registry", "delegated statistics and IANA registries",
       "bogons beyond special-purpose space; countries and regions"},
      {Part::kTopology, "topology", "CAIDA AS relationships and as2org",
       "route leaks (M1, M1C); names"},
      {Part::kPeeringDb, "peeringdb", "PeeringDB", "M6 (Action 3); IXP aggregates"},
      {Part::kExtra, "extra", "MANRS participants and CAIDA Spoofer",
       "M5 (Action 2); the MANRS group"},
  }};
  return kAll;
}

const PartInfo& InfoOf(Part p) { return Parts()[static_cast<size_t>(p)]; }

bool PartOfPath(std::string_view path, Part* out) {
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return false;
  for (const PartInfo& p : Parts()) {
    if (path.substr(0, slash) == p.dir) {
      *out = p.part;
      return true;
    }
  }
  return false;
}

bool IsRibDump(std::string_view n) {
  return n.find("bview") != std::string_view::npos || n.find("rib") != std::string_view::npos;
}
std::string CollectorOf(std::string_view n) { return std::string(n.substr(0, n.find('.'))); }
bool IsAsRelFile(std::string_view n) { return n.find("as-rel") != std::string_view::npos; }
bool IsAs2OrgFile(std::string_view n) { return n.find("as-org2info") != std::string_view::npos; }
bool IsManrsFile(std::string_view n) { return ContainsNoCase(n, "manrs"); }
bool IsSpooferFile(std::string_view n) { return ContainsNoCase(n, "spoof"); }
bool IsSlurmFile(std::string_view n) { return ContainsNoCase(n, "slurm"); }

std::string RibDumpName(std::string_view collector, uint32_t d) {
  return fmt::format("{}.bview.{}.0000.gz", collector, d);
}
std::string UpdatesName(std::string_view collector, uint32_t d) {
  return fmt::format("{}.updates.{}.gz", collector, d);
}
std::string AsRelName(uint32_t d) { return fmt::format("{}.as-rel2.txt", d); }
std::string As2OrgName(uint32_t d) { return fmt::format("{}.as-org2info.txt", d); }

}  // namespace vigia::snapshot
