// Bogons: address space and AS numbers that should not appear in the global
// routing table, each with the reason.
//
// Full bogons = special-purpose space (special_purpose.h: not globally
// reachable) ∪ administrative bogons: space the RIR stats list as available
// or reserved, space IANA has reserved or not allocated, and, when every
// RIR's file is loaded, space inside an RIR's region (the IANA blocks whose
// WHOIS is that RIR) that no delegated file lists. Space IANA gave to an RIR
// whose file is not loaded is taken as allocated (not a bogon): without the
// RIR's data there is no evidence either way, and a false bogon drops real
// routes.
//
// Precedence, first match wins for each address: globally reachable
// special-purpose blocks (never bogons) > other special-purpose blocks (least
// specific first) > space an RIR delegated (allocated/assigned) > RIR
// available/reserved > IANA reserved/unallocated > unlisted in an RIR region
// (only when the files of all the RIRs named in the IANA registry are
// loaded: space missing from one RIR's file may have moved to another RIR by
// an inter-RIR transfer) > not a bogon. The result is kept as one RangeSet
// per reason, so the output is the aggregated CIDR list with every line
// labelled. docs/bogons.md gives the reasoning and the comparison with Team
// Cymru's list.
//
// Bogon ASNs: special_purpose.h's ranges ∪ AS numbers the RIR stats list as
// available or reserved (and not also delegated).
//
// A BogonList is a value built once; read-only afterwards and safe to share.
#pragma once

#include <string>
#include <vector>

#include "core/limits.h"
#include "registry/delegated.h"
#include "registry/iana.h"
#include "registry/range_set.h"

namespace vigia::registry {

enum class BogonKind : uint8_t {
  kSpecialPurpose,   // RFC 6890 registries: not globally reachable
  kRirNotDelegated,  // RIR stats: available, reserved (or NRO ietf/iana)
  kIanaReserved,     // IANA: RESERVED, or IPv6 outside 2000::/3
  kIanaUnallocated,  // IANA: UNALLOCATED, or IPv6 2000::/3 not in the registry
  kRirUnlisted,      // in an RIR's region, absent from every RIR's stats
};
std::string_view BogonKindName(BogonKind k);
// "special" for kSpecialPurpose, "administrative" for the rest.
std::string_view BogonClassName(BogonKind k);

struct BogonReason {
  BogonKind kind;
  std::string detail;  // "Private-Use (RFC 1918)", "lacnic available", ...
};

struct BogonPrefix {
  Prefix prefix;
  uint32_t reason = 0;  // index into BogonList::reasons()
};

struct AsnBogon {
  Asn first = 0;
  Asn last = 0;
  uint32_t reason = 0;
};

struct BogonOptions {
  bool special_only = false;  // only the special-purpose part
};

class BogonList {
 public:
  static BogonList Compute(const DelegatedStats& stats, const IanaRegistry& iana,
                           BogonOptions opts = {});

  const std::vector<BogonReason>& reasons() const { return reasons_; }
  // The labelled CIDR list of one family, in address order.
  std::vector<BogonPrefix> Prefixes(Family f) const;
  // Every bogon address of the family; and split by class.
  RangeSet All(Family f) const;
  RangeSet Special(Family f) const;
  RangeSet Administrative(Family f) const;
  // The addresses of one reason.
  const RangeSet& Addresses(uint32_t reason) const { return sets_[reason]; }
  // The reason covering a, or nullptr when a is not a bogon.
  const BogonReason* Classify(const IpAddress& a) const;
  // Registries whose own delegated file (version line naming them) is
  // loaded, per family: the regions where the list is complete.
  const std::vector<std::string>& covered_rirs(Family f) const {
    return covered_[f == Family::kIpv4 ? 0 : 1];
  }
  // Bogon AS number ranges, in ASN order.
  const std::vector<AsnBogon>& asns() const { return asns_; }
  const BogonReason* ClassifyAsn(Asn asn) const;

 private:
  uint32_t AddReason(BogonKind kind, std::string detail, RangeSet set);

  std::vector<BogonReason> reasons_;
  std::vector<RangeSet> sets_;  // by reason; disjoint
  std::vector<std::string> covered_[2];
  std::vector<AsnBogon> asns_;
};

// The region of an RIR per IANA: the ALLOCATED and LEGACY blocks whose
// WHOIS server is the RIR's.
RangeSet RirRegion(const IanaRegistry& iana, const std::string& rir, Family f);

// A plain prefix list (one prefix per line, '#' comments), e.g. Team Cymru's
// fullbogons. Bad lines become problems.
struct PrefixListFile {
  RangeSet v4{Family::kIpv4};
  RangeSet v6{Family::kIpv6};
  size_t prefixes = 0;
  ProblemLog problems;  // bad lines; problems.count() of them were skipped
};
Status LoadPrefixList(const std::string& path, PrefixListFile* out);
void ParsePrefixList(std::string_view text, const std::string& name, PrefixListFile* out);

// Address-level agreement of two sets inside a region.
struct Agreement {
  Uint128 region = 0;
  Uint128 both = 0;
  Uint128 only_ours = 0;
  Uint128 only_theirs = 0;
  Uint128 neither = 0;
};
Agreement Compare(const RangeSet& ours, const RangeSet& theirs, const RangeSet& region);

}  // namespace vigia::registry
