// SLURM: Simplified Local Internet Number Resource Management with the
// RPKI (RFC 8416). A relying party's local exceptions: filters that drop
// VRPs and assertions that add them, plus the ASPA members of
// draft-ietf-sidrops-aspa-slurm (slurmVersion 2).
//
// A SLURM file is applied whole or not at all (RFC 8416 §4): one bad
// member, or an overlap between files (§4.2), rejects it, because a
// half-applied exception list changes validation in ways nobody asked for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/status.h"
#include "rpki/vrp.h"

namespace vigia::rpki {

// RFC 8416 §3.3.1: a filter with a prefix, an ASN or both.
struct PrefixFilter {
  std::optional<Prefix> prefix;
  std::optional<Asn> asn;
  std::string comment;
  // True when the filter drops `v`: every member given matches (the VRP's
  // prefix equal to or more specific than the filter's).
  bool Matches(const Vrp& v) const;
};

// RFC 8416 §3.4.1.
struct PrefixAssertion {
  Prefix prefix;
  Asn asn = 0;
  std::optional<uint8_t> max_prefix_length;  // absent: the prefix length
  std::string comment;
};

struct AspaFilter {
  Asn customer = 0;
  std::string comment;
};

struct AspaAssertion {
  Asn customer = 0;
  std::vector<Asn> providers;
  std::string comment;
};

struct Slurm {
  int version = 1;
  std::vector<PrefixFilter> prefix_filters;
  std::vector<PrefixAssertion> prefix_assertions;
  std::vector<AspaFilter> aspa_filters;
  std::vector<AspaAssertion> aspa_assertions;
  size_t bgpsec_filters = 0, bgpsec_assertions = 0;  // parsed, not applied
  std::string name;                                  // the file it came from

  // Parses one SLURM file (any compression). Fails, naming the member,
  // on anything RFC 8416 §3 does not allow.
  static Result<Slurm> LoadFile(const std::string& path);
  static Result<Slurm> Parse(std::string_view json, const std::string& name);

  // RFC 8416 §4.2: several files may be used together only when no two of
  // them have overlapping prefixes (or the same ASN in ASPA members).
  static Status CheckOverlap(const std::vector<Slurm>& files);

  struct Applied {
    size_t vrps_filtered = 0, vrps_added = 0, aspas_filtered = 0, aspas_added = 0;
  };
  // RFC 8416 §4.1: filters first, then assertions; the set's index is
  // rebuilt.
  Applied Apply(VrpSet* set) const;
};

// Caps (kMaxSlurmBytes, kMaxSlurmEntries): core/limits.h.

}  // namespace vigia::rpki
